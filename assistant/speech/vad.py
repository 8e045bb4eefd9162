"""Voice activity gate: a spectral gate over a tracked noise floor, then webrtcvad.

Each 30-ms frame's power in 12 bands from 200 Hz to 4 kHz is compared with that band's noise floor (the
lowest value of the last ~1.5 s); the frame's score is the mean of those band ratios in dB. Steady noise of
any colour (a fan, a white-noise machine, a hum) scores below SPEECH_SCORE_DB however loud it is, because
its floor is learned within ~1.5 s; speech scores far above it even at 5 dB SNR. Only frames that pass the
gate reach webrtcvad, which on its own calls steady white or pink noise "speech". Frames quieter than
-60 dBFS cost one dot product.
"""

from __future__ import annotations

from collections import deque
from functools import cache

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE

QUIET = (32768 * 10 ** (-60 / 20)) ** 2 * FRAME_SAMPLES   # frames below -60 dBFS skip the spectrum
SPEECH_SCORE_DB = 10.0      # steady noise scores <= ~9.4 dB (99th percentile 8.7), speech at 5 dB SNR ~12
BLOCK_FRAMES = 10           # the floor is the min over BLOCKS blocks of BLOCK_FRAMES frames (1.5 s)
BLOCKS = 5
MIN_SWING = 64              # int16 peak-to-peak below which the lenient decision calls a frame silence
_EDGES = np.geomspace(200.0, 4000.0, 13)
_WINDOW = np.hanning(FRAME_SAMPLES).astype(np.float32)
_FREQS = np.fft.rfftfreq(FRAME_SAMPLES, 1 / SAMPLE_RATE)
_STARTS = np.searchsorted(_FREQS, _EDGES[:-1])
_STOP = int(np.searchsorted(_FREQS, _EDGES[-1]))


def band_powers(frame: np.ndarray) -> np.ndarray:
    """Power of a frame (int16 or float samples in int16 units) in the gate's 12 bands."""
    spectrum = np.fft.rfft(frame.astype(np.float32) * _WINDOW)[:_STOP]
    return np.add.reduceat(spectrum.real ** 2 + spectrum.imag ** 2, _STARTS)


@cache
def _absolute_floor() -> np.ndarray:
    """Band powers of white noise at -60 dBFS: nothing quieter counts as louder than the room."""
    hiss = np.random.default_rng(0).standard_normal((50, FRAME_SAMPLES)) * 32768 * 10 ** (-60 / 20)
    return np.mean([band_powers(f) for f in hiss], axis=0)


class Vad:
    """Per-frame speech decision for 16 kHz int16 frames of FRAME_SAMPLES. One lives as long as the
    assistant: the wake detector and the endpointer both ask it, so the noise floor it learns while idle
    is the one a session starts with."""

    def __init__(self, aggressiveness: int = 2) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)
        self._blocks: deque[np.ndarray] = deque(maxlen=BLOCKS)
        self.reset()

    def reset(self) -> None:
        """Forget the noise floor: a new recording starts (a live microphone keeps it for the whole run).
        webrtcvad's own adaptation is kept: made afresh it misses quiet voices for a while."""
        self._blocks.clear()
        self._block_min: np.ndarray | None = None
        self._in_block = 0
        self.bands = np.zeros(len(_STARTS))
        self.score = 0.0

    @property
    def floor(self) -> np.ndarray:
        """The noise floor per band (until the first block is complete: the quietest frame so far)."""
        known = np.minimum.reduce(list(self._blocks)) if self._blocks else self._block_min
        return _absolute_floor() if known is None else np.maximum(known, _absolute_floor())

    def score_of(self, bands: np.ndarray) -> float:
        """Mean dB by which `bands` stand above the current noise floor (bands below it count as 0)."""
        return float(np.mean(10 * np.log10(np.maximum(bands / self.floor, 1.0))))

    def is_speech(self, frame: np.ndarray) -> bool:
        """True when `frame` stands out from the noise floor and webrtcvad hears a voice in it: strict, for
        the endpointer (steady noise never starts an utterance)."""
        self._measure(frame)
        return self.score >= SPEECH_SCORE_DB and self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)

    def maybe_speech(self, frame: np.ndarray) -> bool:
        """True when webrtcvad alone hears a voice in a frame that is not near silence: lenient (it calls
        steady noise speech too), for a gate that only saves work and must not miss a quiet voice, the wake
        detector's. The noise floor learns from the frame all the same."""
        self._measure(frame)
        loud = int(frame.max()) - int(frame.min()) >= MIN_SWING
        return loud and self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)

    def _measure(self, frame: np.ndarray) -> None:
        """The frame's band powers and score against the floor, and the floor updated with them."""
        x = frame.astype(np.float32)
        if float(np.dot(x, x)) < QUIET:
            self.bands, self.score = np.zeros(len(_STARTS)), 0.0
        else:
            self.bands = band_powers(x)
            self.score = self.score_of(self.bands)
        self._track(self.bands)

    def _track(self, bands: np.ndarray) -> None:
        self._block_min = bands if self._block_min is None else np.minimum(self._block_min, bands)
        self._in_block += 1
        if self._in_block == BLOCK_FRAMES:
            self._blocks.append(self._block_min)
            self._block_min, self._in_block = None, 0
