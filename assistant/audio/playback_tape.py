"""What the speaker really played, and when: the echo canceller's reference while Glimmer listens as it speaks.

The speaker's PortAudio callback hands every block it outputs (silence too) to the tape with the moment its
first sample leaves the device, and marks where each spoken sentence starts and ends. It only puts them on a
SimpleQueue (no lock, see audio/sinks.py), and stops adding when nobody has drained MAX_QUEUED_S of them.
The listening side drains the queue, resamples to 16 kHz and keeps the last HISTORY_S. Samples are placed by
their count since the stream was first seen, on the clock reading of its earliest block (the callback can
only be late), so the reference stays sample-exact however the callbacks jitter. A block that follows an
underrun (the device fell silent, so everything after plays later than the count puts it), or is off that
count by more than RESYNC_S (blocks were dropped), starts a new stretch of tape at its own reading; the
stretch before stays readable, since its echo is still in the room.
"""

from __future__ import annotations

import time
from queue import Empty, SimpleQueue

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.audio.resample import StreamResampler

HISTORY_S = 12.0      # how far back the reference reaches: the echo's delay (up to 2.5 s) and more
MAX_QUEUED_S = 10.0   # undrained blocks beyond this are dropped (nobody listens over the voice just then)
RESYNC_S = 0.1        # a block this far from where the sample count puts it starts the tape afresh


class PlaybackTape:
    """The speaker's output at 16 kHz on the time.monotonic() clock, with the sentences it spoke."""

    def __init__(self, device_rate: int) -> None:
        self._blocks: SimpleQueue[tuple[float, np.ndarray, bool]] = SimpleQueue()
        self._marks: SimpleQueue[tuple[float, float, str]] = SimpleQueue()
        self._rate = device_rate
        self._max_blocks: int | None = None   # set from the first block's length
        self.dropped = 0                      # written by the callback side only
        self._dropped_seen = 0
        self._anchor: float | None = None     # when device sample 0 left the speaker
        self._device_count = 0                # device samples taken in since the anchor
        self._first = 0                       # 16-kHz index (since the anchor) of self._samples[0]
        self._samples = np.zeros(0, np.int16)
        self._before: tuple[float, int, np.ndarray] | None = None   # the last stretch: (anchor, first, samples)
        self._resampler = StreamResampler(device_rate, SAMPLE_RATE)
        self.sentences: list[tuple[float, float, str]] = []   # (start, end, text), the recent ones

    # The speaker's callback side: queue only.
    def played(self, when: float, block: np.ndarray, after_underrun: bool = False) -> None:
        """`block` (float32, device rate) started leaving the speaker at `when`; `after_underrun`: the device
        ran dry just before it."""
        if self._max_blocks is None:
            self._max_blocks = max(1, int(MAX_QUEUED_S * self._rate / max(len(block), 1)))
        if self._blocks.qsize() >= self._max_blocks:
            self.dropped += 1
            return
        self._blocks.put((when, block.copy(), after_underrun))

    def spoke(self, start: float, end: float, text: str) -> None:
        """The sentence `text` plays from `start` to `end`."""
        self._marks.put((start, end, text))

    # The listening side.
    def update(self) -> None:
        """Take in what the speaker has played since the last call."""
        pieces = [self._samples]
        while True:
            try:
                when, block, after_underrun = self._blocks.get_nowait()
            except Empty:
                break
            anchor, since = self._anchor, self._device_count / self._rate
            if anchor is None or after_underrun or abs(when - (anchor + since)) > RESYNC_S \
                    or self.dropped != self._dropped_seen:
                self._dropped_seen = self.dropped
                if anchor is not None:
                    self._before = (anchor, self._first, np.concatenate(pieces))
                self._anchor, self._device_count, self._first = when, 0, 0
                self._resampler = StreamResampler(self._rate, SAMPLE_RATE)
                pieces = []
            else:
                self._anchor = min(anchor, when - since)
            self._device_count += len(block)
            pieces.append(to_int16(self._resampler.process(block)))
        self._samples = np.concatenate(pieces) if pieces else np.zeros(0, np.int16)
        excess = len(self._samples) - int(HISTORY_S * SAMPLE_RATE)
        if excess > 0:
            self._samples, self._first = self._samples[excess:], self._first + excess
        while True:
            try:
                self.sentences.append(self._marks.get_nowait())
            except Empty:
                break
        recent = time.monotonic() - HISTORY_S
        self.sentences = [s for s in self.sentences if s[1] >= recent]

    def at(self, when: float, count: int) -> np.ndarray:
        """The `count` samples that left the speaker from `when` on (int16, zeros where none are known)."""
        out = np.zeros(count, np.int16)
        stretches = [self._before] if self._before else []
        if self._anchor is not None:
            stretches.append((self._anchor, self._first, self._samples))
        for anchor, first, samples in stretches:   # the later stretch wins where they overlap
            _copy_into(out, samples, int(round((when - anchor) * SAMPLE_RATE)) - first)
        return out

    def spoken_between(self, start: float, end: float) -> list[tuple[float, float, str]]:
        """The sentences (start, end, text) that were playing at some moment between `start` and `end`."""
        return [(first, last, text) for first, last, text in self.sentences if first <= end and last >= start]


def _copy_into(out: np.ndarray, samples: np.ndarray, start: int) -> None:
    """Write the part of `samples` from index `start` on that fits into `out` (negative: out starts earlier)."""
    lo, hi = max(start, 0), min(start + len(out), len(samples))
    if hi > lo:
        out[lo - start:hi - start] = samples[lo:hi]
