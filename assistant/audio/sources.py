"""Where audio comes from: the real microphone, or the simulated one fed by WAV turns."""

import contextlib
import logging
import queue
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.audio.devices import find_device
from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, to_int16
from assistant.audio.stream_resample import StreamResampler
from assistant.audio.wav import read_wav
from assistant.errors import GlimmerError

log = logging.getLogger(__name__)


class AudioSource(Protocol):
    """A stream of FRAME_SAMPLES int16 frames at 16 kHz."""

    simulated: bool

    @property
    def turn_over(self) -> bool:
        """True once a simulated turn's audio has all been read (a live microphone: never)."""

    def begin_turn(self) -> bool:
        """Called each time the program starts listening; False when a simulated source has no turns left."""

    def read(self) -> np.ndarray:
        """The next frame."""

    def close(self) -> None:
        """Release the device."""


class DeviceLost(GlimmerError):
    """The microphone stopped delivering audio (unplugged, or a PortAudio error)."""


class TurnFeeder:
    """The simulated microphone: each turn plays one WAV (or array), then silence until the next turn."""

    simulated = True

    def __init__(self, turns: Sequence[str | Path | np.ndarray]) -> None:
        # Every file is read up front, so a bad one fails before a session starts.
        self._turns = [t if isinstance(t, np.ndarray) else read_wav(t) for t in turns]
        self._next = 0
        self._current = np.zeros(0, dtype=np.int16)
        self._offset = 0

    @property
    def turn_over(self) -> bool:
        """True once the current turn's audio has all been read."""
        return self._offset >= len(self._current)

    @property
    def turns_left(self) -> int:
        """How many turns have not been started yet."""
        return len(self._turns) - self._next

    def begin_turn(self) -> bool:
        """Start hearing the next turn (whatever is left of the current one is dropped)."""
        if self._next >= len(self._turns):
            self._current, self._offset = np.zeros(0, dtype=np.int16), 0
            return False
        self._current = to_int16(np.asarray(self._turns[self._next]))
        self._next += 1
        self._offset = 0
        return True

    def read(self) -> np.ndarray:
        """The next frame of the current turn, or silence once it has been heard."""
        frame = self._current[self._offset:self._offset + FRAME_SAMPLES]
        self._offset += FRAME_SAMPLES
        if len(frame) < FRAME_SAMPLES:
            frame = np.concatenate([frame, np.zeros(FRAME_SAMPLES - len(frame), dtype=np.int16)])
        return frame

    def close(self) -> None:
        """Nothing to release."""


class Microphone:
    """A sounddevice input at the device's native rate and channels, resampled to 16 kHz mono frames.

    The PortAudio callback only copies blocks into a bounded queue; overflows are counted and logged.
    """

    simulated = False
    turn_over = False

    def __init__(self, device: str | int | None = None, rate: int | None = None,
                 queue_seconds: float = 5.0) -> None:
        import sounddevice as sd

        info = find_device(device, "input")
        self.name = info.name
        self._rate = rate or info.default_rate
        self._channels = min(info.max_input_channels, 2)
        block = int(self._rate * 0.03)
        self._queue: queue.Queue[np.ndarray] = queue.Queue(maxsize=int(queue_seconds / 0.03))
        self._resampler = StreamResampler(self._rate, SAMPLE_RATE)
        self._buffer = np.zeros(0, dtype=np.int16)
        self.overflows = 0
        try:
            self._stream = sd.InputStream(device=info.index, samplerate=self._rate, channels=self._channels,
                                          dtype="float32", blocksize=block, callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as err:
            raise GlimmerError(f"cannot open microphone {info.name!r}: {err}; see 'glimmer doctor'") from None
        log.info("microphone %r open at %d Hz, %d channel(s)", info.name, self._rate, self._channels)

    def _callback(self, data: np.ndarray, frames: int, time, status) -> None:  # noqa: ANN001 (PortAudio's)
        if status.input_overflow:
            self.overflows += 1
        try:
            self._queue.put_nowait(data.mean(axis=1).copy())
        except queue.Full:
            self.overflows += 1

    def begin_turn(self) -> bool:
        """Listening starts now: drop what was captured before (e.g. Glimmer's own voice). Always True."""
        with contextlib.suppress(queue.Empty):
            while True:
                self._queue.get_nowait()
        self._buffer = np.zeros(0, dtype=np.int16)
        return True

    def read(self) -> np.ndarray:
        """The next 30-ms frame, waiting for the device; DeviceLost when it has gone quiet for 2 s."""
        while len(self._buffer) < FRAME_SAMPLES:
            try:
                block = self._queue.get(timeout=2.0)
            except queue.Empty:
                raise DeviceLost(f"microphone {self.name!r} stopped delivering audio") from None
            self._buffer = np.concatenate([self._buffer, to_int16(self._resampler.process(block))])
        frame, self._buffer = self._buffer[:FRAME_SAMPLES], self._buffer[FRAME_SAMPLES:]
        if self.overflows:
            log.warning("microphone input overflowed %d time(s)", self.overflows)
            self.overflows = 0
        return frame

    def close(self) -> None:
        """Stop and close the stream."""
        self._stream.stop()
        self._stream.close()
