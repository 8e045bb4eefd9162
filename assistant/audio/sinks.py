"""Where audio goes: the speaker, or a WAV file."""

import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.audio.devices import find_device
from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.audio.resample import resample
from assistant.audio.wav import write_wav
from assistant.errors import GlimmerError


class AudioSink(Protocol):
    """Plays 16 kHz mono int16 audio."""

    def play(self, samples: np.ndarray) -> None:
        """Queue `samples`; returns quickly."""

    def wait_done(self) -> None:
        """Block until everything queued has really been played."""

    def close(self) -> None:
        """Finish and release."""


class WavSink:
    """Collects everything played into one WAV file (0600), written on close."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._chunks: list[np.ndarray] = []

    def play(self, samples: np.ndarray) -> None:
        """Append `samples` to the recording."""
        self._chunks.append(to_int16(np.asarray(samples)))

    def wait_done(self) -> None:
        """A file has nothing in flight."""

    @property
    def samples(self) -> np.ndarray:
        """Everything played so far."""
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        """Write the WAV file."""
        write_wav(self.path, self.samples)


class Speaker:
    """A sounddevice output stream opened once per session (so first syllables are not clipped)."""

    def __init__(self, device: str | int | None = None, max_queued_seconds: float = 120.0) -> None:
        import sounddevice as sd

        info = find_device(device, "output")
        self._rate = info.default_rate
        self._pending = np.zeros(0, dtype=np.float32)
        self._lock = threading.Lock()
        self._drained = threading.Event()
        self._drained.set()
        self._max_queued = int(max_queued_seconds * self._rate)
        try:
            self._stream = sd.OutputStream(device=info.index, samplerate=self._rate, channels=1,
                                           dtype="float32", callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as err:
            raise GlimmerError(f"cannot open speaker {info.name!r}: {err}; see 'glimmer doctor'") from None

    def _callback(self, out: np.ndarray, frames: int, time, status) -> None:  # noqa: ANN001 (PortAudio's)
        with self._lock:
            chunk, self._pending = self._pending[:frames], self._pending[frames:]
            if len(self._pending) == 0:
                self._drained.set()
        out[: len(chunk), 0] = chunk
        out[len(chunk):, 0] = 0.0

    def play(self, samples: np.ndarray) -> None:
        """Queue 16 kHz samples for playback at the device's rate."""
        audio = resample(to_float(np.asarray(samples)), SAMPLE_RATE, self._rate)
        with self._lock:
            if len(self._pending) + len(audio) > self._max_queued:
                raise GlimmerError("too much audio queued for the speaker")
            self._pending = np.concatenate([self._pending, audio])
            self._drained.clear()

    def wait_done(self) -> None:
        """Wait until the last queued sample has left the device (callback drained + output latency)."""
        with self._lock:
            seconds_left = len(self._pending) / self._rate
        if not self._drained.wait(timeout=seconds_left + 2.0):
            raise GlimmerError("the speaker stopped playing; check it with 'glimmer doctor'")
        threading.Event().wait(self._stream.latency)

    def close(self) -> None:
        """Let queued audio finish, then close the stream."""
        self.wait_done()
        self._stream.stop()
        self._stream.close()


def to_int16_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Any float or int16 audio at `rate` as 16 kHz int16 (what every sink takes)."""
    return to_int16(resample(to_float(np.asarray(samples)), rate, SAMPLE_RATE))
