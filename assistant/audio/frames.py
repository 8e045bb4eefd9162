"""The one audio format used inside Glimmer: 16 kHz mono int16, in frames of 30 ms."""

from collections.abc import Iterator

import numpy as np

SAMPLE_RATE = 16000
FRAME_SAMPLES = 480  # 30 ms: a size webrtcvad accepts


def frames_of(samples: np.ndarray, size: int = FRAME_SAMPLES) -> Iterator[np.ndarray]:
    """Split int16 samples into frames of `size`; the last frame is padded with silence."""
    samples = np.asarray(samples, dtype=np.int16)
    for start in range(0, len(samples), size):
        frame = samples[start:start + size]
        if len(frame) < size:
            frame = np.concatenate([frame, np.zeros(size - len(frame), dtype=np.int16)])
        yield frame


def silence(seconds: float) -> np.ndarray:
    """Int16 silence lasting `seconds` at SAMPLE_RATE."""
    return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.int16)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] (or int16 already) as int16, clipped."""
    if samples.dtype == np.int16:
        return samples
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype(np.int16)


def to_float(samples: np.ndarray) -> np.ndarray:
    """Int16 (or float) audio as float32 in [-1, 1]."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return samples.astype(np.float32)
