"""Where audio comes from: the real microphone, or the simulated one fed by WAV turns."""

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Protocol

import numpy as np

from assistant.audio.devices import find_device
from assistant.audio.frames import FRAME_SAMPLES, SAMPLE_RATE, to_int16
from assistant.audio.resample import StreamResampler
from assistant.audio.wav import check_wav, read_wav, stream_wav
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


class WavFileSource:
    """A WAV file of any length as the microphone, in constant memory: its frames, then silence."""

    simulated = True

    def __init__(self, path: str | Path) -> None:
        header = check_wav(path)
        self.duration_s = header.data_frames / header.rate
        self.frames_read = 0
        self._blocks = stream_wav(path)
        self._buffer = np.zeros(0, dtype=np.int16)
        self._ended = False

    @property
    def turn_over(self) -> bool:
        """True once all of the file has been read."""
        return self._ended and not len(self._buffer)

    @property
    def left_s(self) -> float:
        """About how much of the file is still to be read, in seconds."""
        return max(0.0, self.duration_s - self.frames_read * FRAME_SAMPLES / SAMPLE_RATE)

    def begin_turn(self) -> bool:
        """A file is one turn: always True."""
        return True

    def read(self) -> np.ndarray:
        """The next frame of the file, or silence after its end."""
        while len(self._buffer) < FRAME_SAMPLES and not self._ended:
            block = next(self._blocks, None)
            if block is None:
                self._ended = True
            else:
                self._buffer = np.concatenate([self._buffer, block])
        frame, self._buffer = self._buffer[:FRAME_SAMPLES], self._buffer[FRAME_SAMPLES:]
        self.frames_read += 1
        return np.pad(frame, (0, FRAME_SAMPLES - len(frame)))

    def close(self) -> None:
        """Close the file."""
        self._blocks.close()


class Microphone:
    """A sounddevice input at the device's native rate and channels, resampled to 16 kHz mono frames.

    The PortAudio callback only stamps each block with when it was captured and appends it to a bounded
    queue, a SimpleQueue: it takes no Python lock, so the callback can never wait on one that the main
    thread left held when SIGTERM's exception tore through it (and closing the stream, which waits for the
    callback, can never hang on that). While nobody listens (Glimmer is speaking) the oldest blocks make room:
    that is by design and not counted. What is counted and logged: PortAudio's own input overflows, and blocks
    lost while listening.
    A frame's capture time (`frame_at`) comes from its sample count since the last samples were lost, on the
    earliest reading of the blocks' stamps: a stamp is only ever late (after a stall the backlog arrives all
    at once, every block stamped as it arrives), never early.
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
        self._queue: SimpleQueue[tuple[float, np.ndarray, int, bool]] = SimpleQueue()
        self._max_blocks = int(queue_seconds / 0.03)
        self._resampler = StreamResampler(self._rate, SAMPLE_RATE)
        self._buffer = np.zeros(0, dtype=np.int16)
        self._captured = 0            # the callback's own: device samples captured in all
        self._expected = -1           # the device sample the next block read should start at (else a gap)
        self._anchor = 0.0            # when 16-kHz sample 0 of this unbroken stretch was captured
        self._taken = 0               # 16-kHz samples of this stretch taken into the buffer
        self.frame_at = 0.0           # when the first sample of the frame `read` last returned was captured
        self._since = 0.0             # blocks captured (time.monotonic()) before this are not heard
        self._overflows = 0           # PortAudio's input overflow flags
        self._dropped = 0             # blocks pushed out of a full queue since listening began
        self.overflows = 0            # both, in all
        try:
            self._stream = sd.InputStream(device=info.index, samplerate=self._rate, channels=self._channels,
                                          dtype="float32", blocksize=block, callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as err:
            raise GlimmerError(f"cannot open microphone {info.name!r}: {err}; see 'glimmer doctor'") from None
        log.info("microphone %r open at %d Hz, %d channel(s)", info.name, self._rate, self._channels)

    def _callback(self, data: np.ndarray, frames: int, when, status) -> None:
        now = time.monotonic()
        if status.input_overflow:
            self._overflows += 1
        # When the block's last sample was captured: now, less what PortAudio says it took to get here.
        delay = max(0.0, when.currentTime - when.inputBufferAdcTime - frames / self._rate) if when else 0.0
        while self._queue.qsize() >= self._max_blocks:
            try:
                self._queue.get_nowait()
            except Empty:
                break
            self._dropped += 1
        self._queue.put((now - delay, data.mean(axis=1), self._captured, bool(status.input_overflow)))
        self._captured += frames

    def begin_turn(self) -> bool:
        """Listening starts now: what was captured before (e.g. Glimmer's own voice, still on its way
        through the sound server) is not heard. Always True."""
        self._since = time.monotonic()
        self._buffer = np.zeros(0, dtype=np.int16)
        self._dropped = 0
        return True

    def read(self) -> np.ndarray:
        """The next 30-ms frame, waiting for the device; DeviceLost when it has gone quiet for 2 s."""
        while len(self._buffer) < FRAME_SAMPLES:
            captured, block, first, overflowed = self._next_block()
            if captured >= self._since:
                samples = to_int16(self._resampler.process(block))
                self._place(captured, len(samples), gap=overflowed or first != self._expected)
                self._expected = first + len(block)
                self._buffer = np.concatenate([self._buffer, samples])
        self.frame_at = self._anchor + (self._taken - len(self._buffer)) / SAMPLE_RATE
        frame, self._buffer = self._buffer[:FRAME_SAMPLES], self._buffer[FRAME_SAMPLES:]
        if self._overflows or self._dropped:
            lost, self._overflows, self._dropped = self._overflows + self._dropped, 0, 0
            self.overflows += lost
            log.warning("microphone input overflowed %d time(s) while listening (%d in all)", lost, self.overflows)
        return frame

    @property
    def waiting(self) -> int:
        """How many captured blocks wait to be read (a read returns at once while any do)."""
        return self._queue.qsize()

    def _place(self, captured: float, count: int, gap: bool) -> None:
        """`count` more samples were taken in, the last of them stamped `captured`; `gap`: some were lost
        before them (the count starts afresh)."""
        if gap:
            self._anchor, self._taken = captured - count / SAMPLE_RATE, 0
        self._taken += count
        self._anchor = min(self._anchor, captured - self._taken / SAMPLE_RATE)

    def _next_block(self) -> tuple[float, np.ndarray, int, bool]:
        deadline = time.monotonic() + 2.0
        while True:
            try:
                return self._queue.get(timeout=0.1)
            except Empty:
                pass
            if time.monotonic() > deadline or not self._stream.active:
                raise DeviceLost(f"microphone {self.name!r} stopped delivering audio")

    def close(self) -> None:
        """Stop at once (abort: nothing to drain) and close the stream."""
        self._stream.abort()
        self._stream.close()
        log.info("microphone closed: %d overflow(s) while listening, in all", self.overflows)
