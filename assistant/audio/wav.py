"""Reading any PCM WAV into Glimmer's format, and writing private WAV files."""

import os
import wave
from collections.abc import Generator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.audio.resample import StreamResampler
from assistant.audio.wav_header import BadWav, WavFormat, read_header
from assistant.errors import GlimmerError

_INTS: dict[int, np.dtype] = {1: np.dtype("u1"), 2: np.dtype("<i2"), 4: np.dtype("<i4")}
MAX_BLOCK_BYTES = 1 << 22   # a read never asks for more than this, whatever the header claims


def read_wav(path: str | Path) -> np.ndarray:
    """Any PCM WAV (8/16/24/32-bit or 32-bit float, any rate, any channels) as 16 kHz mono int16."""
    return np.concatenate([np.zeros(0, np.int16), *stream_wav(path)])


def check_wav(path: str | Path) -> WavFormat:
    """The format of `path`, or a GlimmerError (one line) when it cannot be read."""
    path = Path(path)
    with _open(path) as handle:
        return _header(handle, path)


def stream_wav(path: str | Path, seconds: float = 10.0) -> Generator[np.ndarray, None, None]:
    """Any PCM WAV as 16 kHz mono int16 in blocks of about `seconds`: constant memory for any length, and
    the same samples whatever the block size."""
    path = Path(path)
    with _open(path) as handle:
        fmt = _header(handle, path)
        converter = StreamResampler(fmt.rate, SAMPLE_RATE)
        block = max(1, min(int(seconds * fmt.rate), MAX_BLOCK_BYTES // fmt.frame_bytes))
        handle.seek(fmt.data_offset)
        left = fmt.data_frames
        while left > 0:
            frames = min(block, left)
            raw = handle.read(frames * fmt.frame_bytes)
            left = left - frames if len(raw) == frames * fmt.frame_bytes else 0
            audio = _mono(_decode(raw, fmt), fmt.channels)
            yield to_int16(converter.process(audio, last=left == 0))


def _open(path: Path) -> BinaryIO:
    if not path.is_file():
        raise GlimmerError(f"{path}: no such file")
    try:
        return path.open("rb")
    except OSError as err:
        raise GlimmerError(f"{path}: cannot be read ({err.strerror})") from None


def _header(handle: BinaryIO, path: Path) -> WavFormat:
    try:
        return read_header(handle, path.stat().st_size)
    except BadWav as err:
        raise GlimmerError(f"{path}: not a PCM WAV file ({err}); "
                           "convert it with 'sox IN -r 16000 -c 1 -b 16 OUT.wav'") from None


def _mono(audio: np.ndarray, channels: int) -> np.ndarray:
    if channels == 1:
        return audio
    return audio[: len(audio) - len(audio) % channels].reshape(-1, channels).mean(axis=1, dtype=np.float32)


def _decode(raw: bytes, fmt: WavFormat) -> np.ndarray:
    """Samples as float32 in [-1, 1] (NaN and infinities of float files made harmless)."""
    raw = raw[: len(raw) - len(raw) % fmt.width]
    if fmt.is_float:
        return np.nan_to_num(np.frombuffer(raw, dtype="<f4"), nan=0.0, posinf=1.0, neginf=-1.0).clip(-1, 1)
    if fmt.width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8   # top-aligned: a 32-bit sample
        return (ints / float(1 << 31)).astype(np.float32)
    data = np.frombuffer(raw, dtype=_INTS[fmt.width])
    if fmt.width == 1:
        return (data.astype(np.float32) - 128.0) / 128.0
    return (data / float(1 << (8 * fmt.width - 1))).astype(np.float32)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write mono int16 `samples` to `path`, readable only by its owner (0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle, wave.open(handle, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(to_int16(np.asarray(samples)).tobytes())
    return path
