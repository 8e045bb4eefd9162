"""A sound as a room would give it: coloured noise, noise mixed in at a signal-to-noise ratio, reverberation.

Used at run time to enroll a voice (copies of each try in noise and in a room) and by the benches and training
scripts to build their corpora, so that all of them degrade speech the same way.
"""

import numpy as np

from assistant.audio.frames import SAMPLE_RATE

Seed = int | np.random.Generator


def noise(kind: str, n: int, seed: Seed = 0) -> np.ndarray:
    """Float32 noise of `kind` white | pink | brown, unit RMS, `n` samples; a Generator as `seed` gives one
    draw of it the seed."""
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2 ** 31))
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(n)
    if kind == "white":
        shaped = white
    else:
        spectrum = np.fft.rfft(white)
        freqs = np.fft.rfftfreq(n)
        freqs[0] = freqs[1]
        shaped = np.fft.irfft(spectrum / (freqs ** (0.5 if kind == "pink" else 1.0)), n)
    return (shaped / np.sqrt(np.mean(shaped ** 2))).astype(np.float32)


def add_noise(x: np.ndarray, kind: str, snr_db: float, seed: Seed = 0, speech_above: float = 0.02) -> np.ndarray:
    """Float `x` with `kind` noise mixed in at `snr_db` (see `add_background`)."""
    return add_background(x, noise(kind, x.size, seed), snr_db, speech_above)


def add_background(x: np.ndarray, background: np.ndarray, snr_db: float, speech_above: float = 0.02) -> np.ndarray:
    """Float `x` with `background` (unit RMS, at least as long) mixed in at `snr_db`: the speech's RMS is
    measured over the samples louder than `speech_above` times its peak (its voiced part, not the pauses)."""
    active = x[np.abs(x) > speech_above * max(1e-6, float(np.abs(x).max()))]
    speech_rms = float(np.sqrt(np.mean(active ** 2))) if active.size else 1e-3
    return (x + background[:x.size] * speech_rms / 10 ** (snr_db / 20)).astype(np.float32)


def reverberant(rng: np.random.Generator, x: np.ndarray, rt60: float) -> np.ndarray:
    """Float `x` in a room with reverberation time `rt60` s, at the same energy: convolved with a synthetic
    impulse response (the direct path, 3 ms of nothing, then exponentially decaying noise)."""
    n = int(rt60 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    ir = rng.standard_normal(n).astype(np.float32) * np.exp(-6.9 * t / rt60).astype(np.float32) * 0.3
    ir[: int(0.003 * SAMPLE_RATE)] = 0
    ir[0] = 1.0
    out = np.fft.irfft(np.fft.rfft(x, x.size + n) * np.fft.rfft(ir, x.size + n), x.size + n)[: x.size]
    return (out * np.sqrt(np.sum(x ** 2) / max(1e-9, np.sum(out ** 2)))).astype(np.float32)
