"""Voice activity gate: an energy gate over a tracked noise floor, then webrtcvad.

Quiet frames and steady noise stop at the energy gate (one difference and one dot product per 30-ms
frame): the noise floor is the lowest frame energy of the last ~1.5 s, so a fan or hum that does not change
is learned within that time and never reaches webrtcvad, which on its own calls steady white or pink noise
"speech". Energy is taken of the sample-to-sample difference, which flattens pink and brown noise (their
30-ms energies otherwise swing by 10-30 dB) while speech still stands well above it.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE

ABSOLUTE_FLOOR = (10 ** (-60 / 20) * 32768) ** 2   # mean-square energy of -60 dBFS: never speech below
FIRST_FLOOR_CAP = (10 ** (-50 / 20) * 32768) ** 2  # until a floor is known, speech may start right away
SPEECH_OVER_FLOOR = 3.0                             # energy ratio (~4.8 dB) over the noise floor
BLOCK_FRAMES = 10                                   # the floor is the min of 5 blocks of 10 frames (1.5 s)
BLOCKS = 5


class Vad:
    """Per-frame speech decision for 16 kHz int16 frames of FRAME_SAMPLES."""

    def __init__(self, aggressiveness: int = 2) -> None:
        import webrtcvad

        self._vad = webrtcvad.Vad(aggressiveness)
        self._blocks: deque[float] = deque(maxlen=BLOCKS)
        self._block_min = float("inf")
        self._in_block = 0
        self.energy = 0.0

    @property
    def floor(self) -> float:
        """The current noise-floor energy (mean square, int16 units)."""
        if not self._blocks:
            return max(min(self._block_min, FIRST_FLOOR_CAP), ABSOLUTE_FLOOR)
        return max(min(self._blocks), ABSOLUTE_FLOOR)

    def is_speech(self, frame: np.ndarray) -> bool:
        """True when `frame` stands out from the noise floor and webrtcvad hears a voice in it."""
        x = np.diff(frame.astype(np.float32))
        self.energy = float(np.dot(x, x)) / FRAME_SAMPLES
        floor = self.floor
        self._track(self.energy)
        if self.energy < floor * SPEECH_OVER_FLOOR:
            return False
        return self._vad.is_speech(frame.tobytes(), SAMPLE_RATE)

    def _track(self, energy: float) -> None:
        self._block_min = min(self._block_min, energy)
        self._in_block += 1
        if self._in_block == BLOCK_FRAMES:
            self._blocks.append(self._block_min)
            self._block_min, self._in_block = float("inf"), 0
