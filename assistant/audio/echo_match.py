"""How much of a stretch of microphone audio is the speaker's echo, measured afresh on that stretch alone.

The running canceller can fall behind the room: after the process stalls, when the sound server nudges its
rate, or while its filter re-adapts, some of Glimmer's own voice is left over, loud enough to be taken for a
person. So an utterance heard over the voice is checked against what the speaker played around that moment:
the best lag within the search span is found by GCC-PHAT, then, in each frequency band, the few short-time
frames of the played audio that best predict the microphone's (a least-squares fit of a short convolutive
transfer function, which follows a room's reverberation) are taken out. What they explain is echo; a person's
voice, which the played audio cannot predict, is what stays. When that fresh fit leaves far less than the
canceller did, what the canceller let through was the echo; when a person is speaking, both leave their voice.
"""

from __future__ import annotations

import numpy as np

from assistant.audio.echo_delay import echo_delay

WINDOW = 1024          # 64-ms short-time frames at 16 kHz, 32 ms apart
HOP = WINDOW // 2
TAPS = 6               # played frames (the aligned one and the five before it, about 0.2 s of playback) that
                       # predict each microphone frame
RIDGE = 1e-3           # keeps the fit steady where the played audio is quiet (relative to its mean power)


def echo_left_db(mic: np.ndarray, cancelled: np.ndarray, played: np.ndarray, search: int) -> float:
    """How far (dB) below the canceller's output `cancelled` a fresh fit of the speaker's output leaves the
    microphone `mic` (the same stretch, int16 or float): well below zero when what the canceller let through
    is the echo it fell behind on; about zero or above when a person's voice is in it. `played` holds what the
    speaker played from `search` samples before the moment `mic`'s echo should have left it to `search`
    samples after (len(mic) + 2 * search long); the echo is looked for at every lag in that span."""
    mic = np.asarray(mic, np.float64)
    played = np.asarray(played, np.float64)
    if len(mic) < 2 * WINDOW or len(cancelled) != len(mic) or len(played) < len(mic):
        return 0.0
    kept = float(np.sum(np.abs(_frames(np.asarray(cancelled, np.float64))) ** 2))
    return float(10 * np.log10((_unexplained(mic, played, search) + 1e-3) / (kept + 1e-3)))


def _unexplained(mic: np.ndarray, played: np.ndarray, search: int) -> float:
    """The short-time energy of `mic` that `played`, aligned within the search span, cannot predict."""
    target = _frames(mic)
    if not np.any(played):
        return float(np.sum(np.abs(target) ** 2))
    lag, _ = echo_delay(played, mic, min(2 * search + 1, len(played) - len(mic) + 1))
    source = _frames(played[lag:lag + len(mic)])
    # per band, the aligned played frame and the TAPS - 1 before it predict each microphone frame
    past = np.zeros((source.shape[1], source.shape[0], TAPS), complex)
    for k in range(TAPS):
        past[:, k:, k] = source[:len(source) - k].T
    wanted = target.T
    gram = np.einsum("bfk,bfj->bkj", past.conj(), past)
    gram += RIDGE * np.mean(np.abs(source) ** 2) * len(source) * np.eye(TAPS) + 1e-9 * np.eye(TAPS)
    weights = np.linalg.solve(gram, np.einsum("bfk,bf->bk", past.conj(), wanted)[..., None])[..., 0]
    return float(np.sum(np.abs(wanted - np.einsum("bfk,bk->bf", past, weights)) ** 2))


def _frames(samples: np.ndarray) -> np.ndarray:
    """Short-time spectra (frames, bands) of `samples`, Hann-windowed."""
    count = 1 + (len(samples) - WINDOW) // HOP
    index = np.arange(WINDOW)[None, :] + HOP * np.arange(count)[:, None]
    return np.fft.rfft(samples[index] * np.hanning(WINDOW), axis=1)
