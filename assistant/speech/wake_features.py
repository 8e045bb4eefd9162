"""Log-mel features for the wake phrase model, computed the same way in training and while listening.

Frame j covers samples [HOP*j, HOP*j + WIN) of the stream, so the features of a stream do not depend on how
the audio was chunked: the detector recomputes only the frames that are new.
"""
from __future__ import annotations

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float

WIN = 400            # 25 ms analysis window
HOP = 160            # 10 ms between feature frames
N_FFT = 512
N_MELS = 40
FLOOR = 1e-7         # power floor; digital silence maps to log10(FLOOR)


def _mel_matrix(n_mels: int = N_MELS, fmin: float = 60.0, fmax: float = 7600.0) -> np.ndarray:
    """Triangular mel filters, shape (N_FFT//2+1, n_mels)."""
    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    mels = np.linspace(hz_to_mel(np.array(fmin)), hz_to_mel(np.array(fmax)), n_mels + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    fb = np.zeros((bins.size, n_mels), dtype=np.float32)
    for m in range(n_mels):
        lo, mid, hi = hz[m], hz[m + 1], hz[m + 2]
        up = (bins - lo) / (mid - lo)
        down = (hi - bins) / (hi - mid)
        fb[:, m] = np.maximum(0.0, np.minimum(up, down))
    return fb


_MEL = _mel_matrix()
_WINDOW = np.hanning(WIN).astype(np.float32)


def log_mel(samples: np.ndarray) -> np.ndarray:
    """Log-mel frames (n, N_MELS) float32 of a whole signal (int16 or float in [-1, 1])."""
    x = to_float(samples)
    n = 0 if x.size < WIN else 1 + (x.size - WIN) // HOP
    if n == 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
    return _frames_to_mel(x[idx])


def _frames_to_mel(frames: np.ndarray) -> np.ndarray:
    spec = np.fft.rfft(frames * _WINDOW, n=N_FFT, axis=1)
    power = (spec.real ** 2 + spec.imag ** 2).astype(np.float32)
    return np.log10(power @ _MEL + FLOOR).astype(np.float32)
