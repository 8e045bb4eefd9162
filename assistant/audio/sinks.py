"""Where audio goes: the speaker, or a WAV file. Each takes audio at its own rate."""

import logging
import os
import tempfile
import time
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Protocol

import numpy as np

from assistant.audio.devices import find_device
from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16
from assistant.audio.playback_tape import PlaybackTape
from assistant.audio.resample import resample
from assistant.audio.wav import write_wav
from assistant.errors import GlimmerError

log = logging.getLogger(__name__)

STALL_S = 10.0          # a stream whose callbacks stop this long has vanished (an underrun is a gap, not this)
OUTPUT_LATENCY_S = 0.2  # PortAudio's "high" latency over PulseAudio (35 ms) underruns every few seconds
FADE_S = 0.12           # stopping at once fades out over this long (a cut would click)


class AudioSink(Protocol):
    """Plays mono audio (float in [-1, 1] or int16) at any sample rate."""

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE, text: str = "") -> None:
        """Queue `samples` recorded at `rate` (the words they say, if any); returns quickly."""

    def wait_done(self) -> None:
        """Block until everything queued has really left the device."""

    def close(self) -> None:
        """Release at once (what is still queued may be cut: wait_done first)."""


class WavSink:
    """Collects everything played into one 16 kHz WAV file (0600), written on close. Whether it can be
    written there is checked at once, so a bad path fails before anything is played, not after."""

    def __init__(self, path: str | Path) -> None:
        self.path = _writable(Path(path))
        self._chunks: list[np.ndarray] = []

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE, text: str = "") -> None:
        """Append `samples` to the recording."""
        self._chunks.append(to_int16_16k(samples, rate))

    def wait_done(self) -> None:
        """A file has nothing in flight."""

    @property
    def samples(self) -> np.ndarray:
        """Everything played so far."""
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        """Write the WAV file."""
        write_wav(self.path, self.samples)


def _writable(path: Path) -> Path:
    """`path` when a WAV file can be written there (its folder is made if missing), else one GlimmerError."""
    if path.is_dir():
        raise GlimmerError(f"{path}: is a folder; give a file name, e.g. {path / 'spoken.wav'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path.parent).close()
    except (FileExistsError, NotADirectoryError):
        raise GlimmerError(f"{path}: part of that path is a file, not a folder; choose another place") from None
    except OSError as err:
        raise GlimmerError(f"{path}: cannot write there ({err.strerror}); choose another place") from None
    if path.exists() and not os.access(path, os.W_OK):
        raise GlimmerError(f"{path}: cannot be overwritten (read-only); choose another name")
    return path


class SpeakerLost(GlimmerError):
    """The output stream was closed or its device vanished."""


class Speaker:
    """A sounddevice output stream opened once per session (so first syllables are not clipped).

    The PortAudio callback only copies queued samples out. It takes no Python lock (a SimpleQueue of chunks,
    counters each written by one thread): SIGTERM's exception can leave a lock held in the main thread, and
    a callback waiting on it would hang the stream's close. Underruns (the sound server or the CPU was late)
    are counted and logged; playback goes on. Only a stream that stops or vanishes is SpeakerLost.
    With a `tape` (record_playback), every sound block and sentence is handed to it as it leaves, and
    `fade_out` stops playback within FADE_S plus the stream's latency. `hold` fades out as fast and keeps
    what is left; `resume` fades it back in from there.
    """

    def __init__(self, device: str | int | None = None, max_queued_seconds: float = 120.0) -> None:
        import sounddevice as sd

        info = find_device(device, "output")
        self.name = info.name
        self._rate = info.default_rate
        self._chunks: SimpleQueue[tuple[np.ndarray, str]] = SimpleQueue()
        self._current = np.zeros(0, dtype=np.float32)   # the callback's own: what is left of a chunk
        self._fades_asked = 0         # written by fade_out
        self._fades_done = 0          # written by the callback
        self._fade_at = 0             # the callback's own: samples of the fade already applied
        self._held = False            # written by hold, resume and fade_out
        self._gain = 1.0              # the callback's own: toward 0 while held, back to 1 after
        self.tape: PlaybackTape | None = None
        self._queued = 0              # samples queued in all (written by play)
        self._played = 0              # samples handed to the device in all (written by the callback)
        self._max_queued = int(max_queued_seconds * self._rate)
        self._ends_at = 0.0           # time.monotonic() at which the last played sample leaves the device
        self._last_callback = time.monotonic()
        self.underruns = 0
        self._reported = 0
        try:
            self._stream = sd.OutputStream(device=info.index, samplerate=self._rate, channels=1,
                                           dtype="float32", latency=OUTPUT_LATENCY_S, callback=self._callback)
            self._stream.start()
        except sd.PortAudioError as err:
            raise GlimmerError(f"cannot open speaker {info.name!r}: {err}; see 'glimmer doctor'") from None
        log.info("speaker %r open at %d Hz (latency %.0f ms)", info.name, self._rate, 1000 * self._stream.latency)

    def _callback(self, out: np.ndarray, frames: int, when, status) -> None:
        now = time.monotonic()
        if status.output_underflow:
            self.underruns += 1
        # When this block's first sample reaches the device: the stream's own latency included.
        leaves = now + (max(0.0, when.outputBufferDacTime - when.currentTime) if when else 0.0)
        if self._gain == 0.0 and self._fades_asked > self._fades_done:
            self._drop_queued()       # faded out while held: nothing is left to fade
        filled = 0
        while filled < frames and not (self._held and self._gain == 0.0):
            if not len(self._current):
                try:
                    self._current, text = self._chunks.get_nowait()
                except Empty:
                    break
                if text and self.tape is not None:
                    start = leaves + filled / self._rate
                    self.tape.spoke(start, start + len(self._current) / self._rate, text)
            take = self._current[:frames - filled]
            out[filled:filled + len(take), 0] = take
            self._current = self._current[len(take):]
            filled += len(take)
        out[filled:, 0] = 0.0
        self._played += filled
        filled = self._hold_or_resume(out[:, 0], filled)
        if self._fades_asked > self._fades_done:
            filled = self._fade(out[:, 0], filled)
        if filled:
            self._ends_at = leaves + filled / self._rate
        if self.tape is not None:
            self.tape.played(leaves, out[:, 0], after_underrun=bool(status.output_underflow))
        self._last_callback = now

    def _fade(self, out: np.ndarray, filled: int) -> int:
        """Apply the next part of the fade-out to this block (of which `filled` samples are sound); once it is
        over, drop everything queued (counted as played, so wait_done returns). How much of the block sounds."""
        length, before = max(1, int(FADE_S * self._rate)), self._fade_at
        out *= np.clip(1.0 - (before + np.arange(len(out))) / length, 0.0, 1.0).astype(np.float32)
        self._fade_at = before + len(out)
        if self._fade_at < length:
            return filled
        self._drop_queued()
        return min(filled, length - before)

    def _drop_queued(self) -> None:
        """The fade-out is over: drop everything queued (counted as played, so wait_done returns)."""
        dropped = len(self._current)
        self._current = np.zeros(0, dtype=np.float32)
        while True:
            try:
                dropped += len(self._chunks.get_nowait()[0])
            except Empty:
                break
        self._played += dropped
        self._fade_at, self._fades_done = 0, self._fades_asked

    def _hold_or_resume(self, out: np.ndarray, filled: int) -> int:
        """Ramp this block's gain toward silence while held (over FADE_S) and back after; how much of the
        block sounds."""
        target = 0.0 if self._held else 1.0
        if self._gain == target == 1.0:
            return filled
        step = 1.0 / max(1, int(FADE_S * self._rate))
        ramp = np.clip(self._gain + np.sign(target - self._gain) * step * np.arange(1, len(out) + 1), 0.0, 1.0)
        out *= ramp.astype(np.float32)
        self._gain = float(ramp[-1])
        if self._gain > 0.0:
            return filled
        return min(filled, int(np.argmax(ramp == 0.0)))

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE, text: str = "") -> None:
        """Queue `samples` recorded at `rate` for playback at the device's rate (`text`: the words they say)."""
        audio = resample(to_float(np.asarray(samples)), rate, self._rate)
        if self._queued - self._played + len(audio) > self._max_queued:
            raise GlimmerError("too much audio queued for the speaker")
        self._queued += len(audio)
        self._chunks.put((audio, text))

    def record_playback(self) -> PlaybackTape:
        """From now on every sound that leaves the speaker is also handed to the returned tape (which its
        reader must drain: PlaybackTape.update)."""
        if self.tape is None:
            self.tape = PlaybackTape(self._rate)
        return self.tape

    def fade_out(self) -> None:
        """Stop what is playing within FADE_S (and the stream's latency), and drop what is queued."""
        self._fades_asked += 1
        self._held = False

    def hold(self) -> None:
        """Fade out within FADE_S (and the stream's latency) and keep what is left, until resume or
        fade_out."""
        self._held = True

    def resume(self) -> None:
        """Go on playing what was held, fading back in."""
        self._held = False

    @property
    def playing(self) -> bool:
        """Whether queued sound has not yet all left the device."""
        return self._played < self._queued or time.monotonic() < self._ends_at

    def wait_done(self) -> None:
        """Wait until the last queued sample has left the device (stream latency included). However long an
        underrun or a slow server takes, this waits while the stream is alive; SpeakerLost when it is not."""
        while self._played < self._queued:
            if not self._stream.active or time.monotonic() - self._last_callback > STALL_S:
                raise SpeakerLost(f"the speaker {self.name!r} stopped playing; check it with 'glimmer doctor'")
            time.sleep(0.01)
        time.sleep(max(0.0, self._ends_at - time.monotonic()))
        if self.underruns > self._reported:
            log.warning("speaker underran %d time(s) so far; playback went on", self.underruns)
            self._reported = self.underruns

    def close(self) -> None:
        """Stop at once (call wait_done first to hear the end) and close the stream. Abort, not stop:
        PortAudio's stop drains the device, which over ALSA's pulse plugin can block without end."""
        self._stream.abort()
        self._stream.close()
        log.info("speaker closed: %d underrun(s) in all", self.underruns)


def to_int16_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Any float or int16 audio at `rate` as 16 kHz int16."""
    return to_int16(resample(to_float(np.asarray(samples)), rate, SAMPLE_RATE))
