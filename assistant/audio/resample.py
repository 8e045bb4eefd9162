"""Sample-rate conversion with soxr (band-limited, high quality): whole buffers, or a stream block by block."""

import numpy as np

QUALITY = "HQ"


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Float32 `samples` at `src_rate` resampled to `dst_rate` (anti-aliased when going down)."""
    x = np.asarray(samples, dtype=np.float32)
    if src_rate == dst_rate or len(x) == 0:
        return x
    import soxr

    return soxr.resample(x, src_rate, dst_rate, quality=QUALITY).astype(np.float32, copy=False)


class StreamResampler:
    """Converts consecutive float32 blocks from `src_rate` to `dst_rate` with no seams between blocks."""

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        import soxr

        self._stream = None if src_rate == dst_rate else soxr.ResampleStream(
            src_rate, dst_rate, 1, dtype="float32", quality=QUALITY)

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        """The resampled samples that `block` completes (may be empty); `last` also flushes what the filter
        still holds, at the end of the stream."""
        block = np.asarray(block, dtype=np.float32)
        return block if self._stream is None else self._stream.resample_chunk(block, last=last)
