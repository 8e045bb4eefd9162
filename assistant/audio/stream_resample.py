"""Resampling a stream block by block, with no seams between blocks (for live devices)."""

import numpy as np

from assistant.audio.resample import _lowpass_kernel


class StreamResampler:
    """Converts consecutive float32 blocks from `src_rate` to `dst_rate`, keeping filter and phase state."""

    def __init__(self, src_rate: int, dst_rate: int, taps: int = 63) -> None:
        self._step = src_rate / dst_rate
        self._kernel = _lowpass_kernel(0.45 * dst_rate / src_rate, taps) if dst_rate < src_rate else None
        self._history = np.zeros(taps - 1, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._pos = 0.0

    def process(self, block: np.ndarray) -> np.ndarray:
        """The resampled samples that `block` completes (may be empty)."""
        block = np.asarray(block, dtype=np.float32)
        if self._step == 1.0:
            return block
        if self._kernel is not None:
            joined = np.concatenate([self._history, block])
            self._history = joined[len(joined) - len(self._history):]
            block = np.convolve(joined, self._kernel, mode="valid").astype(np.float32)
        self._pending = np.concatenate([self._pending, block])
        last = len(self._pending) - 1
        if last < self._pos:
            return np.zeros(0, dtype=np.float32)
        count = int((last - self._pos) // self._step) + 1
        times = self._pos + self._step * np.arange(count)
        out = np.interp(times, np.arange(len(self._pending)), self._pending).astype(np.float32)
        self._pos += count * self._step
        drop = int(self._pos)
        self._pending = self._pending[drop:]
        self._pos -= drop
        return out
