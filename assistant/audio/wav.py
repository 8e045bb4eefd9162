"""Reading any PCM WAV into Glimmer's format, and writing private WAV files."""

import os
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.audio.resample import StreamResampler
from assistant.errors import GlimmerError

_DTYPES = {1: np.uint8, 2: np.int16, 4: np.int32}


def read_wav(path: str | Path) -> np.ndarray:
    """Any PCM WAV (8/16/24/32-bit, any rate, mono or stereo) as 16 kHz mono int16."""
    return np.concatenate([np.zeros(0, np.int16), *stream_wav(path)])


def stream_wav(path: str | Path, seconds: float = 10.0) -> Iterator[np.ndarray]:
    """Any PCM WAV as 16 kHz mono int16 in blocks of about `seconds`: constant memory for any length, and
    the same samples whatever the block size."""
    path = Path(path)
    with _open(path) as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        converter = StreamResampler(rate, SAMPLE_RATE)
        block = max(1, int(seconds * rate))
        raw = _read(wav, block, path)
        while raw:
            following = _read(wav, block, path)
            yield to_int16(converter.process(_mono(_decode(raw, width, path), channels), last=not following))
            raw = following


def _open(path: Path) -> wave.Wave_read:
    if not path.is_file():
        raise GlimmerError(f"{path}: no such file")
    try:
        wav = wave.open(str(path), "rb")
    except (wave.Error, EOFError) as err:
        raise _not_pcm(path, err) from None
    if wav.getframerate() <= 0 or wav.getnchannels() <= 0:
        wav.close()
        raise _not_pcm(path, wave.Error(f"sample rate {wav.getframerate()}, {wav.getnchannels()} channels"))
    return wav


def _read(wav: wave.Wave_read, frames: int, path: str | Path) -> bytes:
    try:
        return wav.readframes(frames)
    except (wave.Error, EOFError) as err:
        raise _not_pcm(Path(path), err) from None


def _not_pcm(path: Path, err: Exception) -> GlimmerError:
    detail = f" ({err})" if str(err) else ""
    return GlimmerError(f"{path}: not a PCM WAV file{detail}; convert it with 'sox IN -r 16000 -c 1 -b 16 OUT.wav'")


def _mono(audio: np.ndarray, channels: int) -> np.ndarray:
    if channels == 1:
        return audio
    return audio[: len(audio) - len(audio) % channels].reshape(-1, channels).mean(axis=1)


def _decode(raw: bytes, width: int, path: Path) -> np.ndarray:
    """PCM bytes of `width` bytes per sample as float32 in [-1, 1]."""
    if width == 3:
        b = np.frombuffer(raw[: len(raw) - len(raw) % 3], dtype=np.uint8).reshape(-1, 3)
        ints = (b[:, 0].astype(np.int32) | (b[:, 1].astype(np.int32) << 8) | (b[:, 2].astype(np.int32) << 16))
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        return (ints / float(1 << 23)).astype(np.float32)
    if width not in _DTYPES:
        raise GlimmerError(f"{path}: {8 * width}-bit samples are not supported; use 16-bit PCM")
    data = np.frombuffer(raw[: len(raw) - len(raw) % width], dtype=_DTYPES[width])
    if width == 1:
        return (data.astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return to_float(data)
    return (data / float(1 << 31)).astype(np.float32)


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
