"""A room made of PulseAudio virtual devices: what Glimmer's microphone hears and what its speaker plays.

A private PulseAudio server (its own runtime folder and socket; stopped again by whoever started it) with
two null sinks: `room`, whose monitor is the default source (the microphone), and `speaker`, the default
sink. PortAudio reaches it through ALSA's `pulse` plugin. The person's side is played into the room in real
time; the speaker's monitor is recorded and watched for sound; the speaker can be looped back into the room
(a small speaker beside the microphone) and a faint hiss can fill the room.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("pulseaudio", "pulseaudio-utils", "libasound2-plugins")
EAR_RATE = 48000          # the speaker is recorded at this rate, so its top octave can be checked
EAR_BLOCK_S = 0.01
SOUND_DBFS = -50.0        # a 10-ms block of the speaker louder than this is sound


def install() -> None:
    """Install PulseAudio, its command-line tools and ALSA's pulse plugin when they are missing."""
    if all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "paplay", "parec")) and \
            Path("/usr/share/alsa/alsa.conf.d/pulse.conf").exists():
        return
    subprocess.run([str(REPO / "scripts" / "apt-install.sh"), *PACKAGES], check=True)


class Room:
    """A running private PulseAudio server with the room and speaker devices (a context manager)."""

    def __init__(self, loopback_db: float | None = None, hiss_dbfs: float | None = None, record: bool = True,
                 loopback_ms: int = 60) -> None:
        install()
        self.dir = Path(tempfile.mkdtemp(prefix="glimmer-room-"))
        self.socket = self.dir / "native"
        self.env = dict(os.environ, XDG_RUNTIME_DIR=str(self.dir), PULSE_SERVER=f"unix:{self.socket}",
                        PULSE_COOKIE=str(self.dir / "cookie"))
        (self.dir / "default.pa").write_text(
            f"load-module module-native-protocol-unix socket={self.socket} auth-anonymous=1\n"
            "load-module module-null-sink sink_name=room sink_properties=device.description=room\n"
            "load-module module-null-sink sink_name=speaker sink_properties=device.description=speaker\n"
            "set-default-sink speaker\nset-default-source room.monitor\n")
        subprocess.run(["pulseaudio", "-n", "-F", str(self.dir / "default.pa"), "--exit-idle-time=-1",
                        "--daemonize=yes", "--use-pid-file=yes", f"--log-target=file:{self.dir / 'server.log'}"],
                       env=self.env, check=True, capture_output=True)
        self._wait_ready()
        self.ear = Ear(self, record)
        self._hiss = Hiss(self, hiss_dbfs) if hiss_dbfs is not None else None
        if loopback_db is not None:
            self.loop_back(loopback_db, loopback_ms)

    def _wait_ready(self) -> None:
        for _ in range(100):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError(f"PulseAudio did not start; see {self.dir / 'server.log'}")

    def pactl(self, *args: str) -> str:
        """Run pactl against this server; its output."""
        return subprocess.run(["pactl", *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def loop_back(self, gain_db: float, latency_ms: int = 60) -> None:
        """What the speaker plays also reaches the room, `gain_db` quieter, `latency_ms` later."""
        module = self.pactl("load-module", "module-loopback", "source=speaker.monitor", "sink=room",
                            f"latency_msec={latency_ms}", "source_dont_move=true", "sink_dont_move=true").strip()
        # The short listing's second column is the sink, not the owner: read the owner from the long one.
        for block in self.pactl("list", "sink-inputs").split("Sink Input #")[1:]:
            if f"Owner Module: {module}\n" in block:
                self.pactl("set-sink-input-volume", block.split("\n", 1)[0].strip(), f"{gain_db}dB")
                return
        raise RuntimeError(f"the loop-back (module {module}) has no sink input to set to {gain_db} dB")

    def say(self, wav: str | Path) -> None:
        """Play a WAV into the room in real time (returns when it has been played)."""
        subprocess.run(["paplay", "--device=room", str(wav)], env=self.env, check=True)

    def close(self) -> None:
        """Stop the recording, the hiss and the server this Room started."""
        self.ear.close()
        if self._hiss:
            self._hiss.close()
        pid_file = self.dir / "pulse" / "pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Room:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Ear:
    """Records a monitor (the speaker's by default) in real time and knows when it last made a sound.

    Times are time.monotonic() of a sample's moment in the stream: the stream's start is the earliest that
    every block's arrival allows (a block is read at once or late, never early), so a late read does not
    move them."""

    def __init__(self, room: Room, record: bool = True, device: str = "speaker.monitor", rate: int = EAR_RATE) -> None:
        self._record, self.rate = record, rate
        self._proc = subprocess.Popen(
            ["parec", f"--device={device}", "--raw", "--format=s16le", "--channels=1",
             f"--rate={rate}", "--latency-msec=10"], env=room.env, stdout=subprocess.PIPE)
        self._chunks: list[np.ndarray] = []
        self._lock = threading.Lock()
        self.started = np.inf      # time.monotonic() of the stream's first sample
        self.samples = 0
        self.last_sound = 0.0      # time.monotonic() of the end of the last loud block
        self.loud: list[float] = []   # time.monotonic() of the end of every loud block
        self.sounding_s = 0.0      # how long the speaker has made sound, in all
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        size = int(self.rate * EAR_BLOCK_S) * 2
        threshold = 32768 * 10 ** (SOUND_DBFS / 20)
        while data := self._proc.stdout.read(size):
            block = np.frombuffer(data, dtype=np.int16)
            now = time.monotonic()
            with self._lock:
                self.samples += block.size
                self.started = min(self.started, now - self.samples / self.rate)
                if self._record:
                    self._chunks.append(block)
                if np.sqrt(np.mean(block.astype(np.float64) ** 2)) > threshold:
                    self.last_sound = self.started + self.samples / self.rate
                    self.loud.append(self.last_sound)
                    self.sounding_s += EAR_BLOCK_S

    def onset(self, sound: np.ndarray, after: float, within_s: float) -> float | None:
        """When `sound` (int16 at this Ear's rate) began in the recording, looking from time `after` for up
        to `within_s` seconds (the best match of its waveform), or None when not even one `sound` has been
        recorded since `after`."""
        with self._lock:
            if not self._record or not self.samples:
                return None
            start = max(0, int((after - self.started) * self.rate))
            stop = min(start + int(within_s * self.rate) + sound.size, self.samples)
            if stop - start < sound.size:
                return None
            heard = np.concatenate(self._chunks)[start:stop].astype(np.float64)
        n = heard.size + sound.size
        match = np.fft.irfft(np.fft.rfft(heard, n) * np.conj(np.fft.rfft(sound.astype(np.float64), n)), n)
        lag = int(np.argmax(match[: heard.size - sound.size + 1]))
        return self.started + (start + lag) / self.rate

    def wait_for_silence(self, after: float, quiet_s: float, timeout_s: float) -> bool:
        """Wait until the speaker has sounded after `after` and then been quiet for `quiet_s`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            last = self.last_sound
            if last > after and time.monotonic() - last >= quiet_s:
                return True
            time.sleep(0.01)
        return False

    @property
    def recording(self) -> np.ndarray:
        """Everything the speaker played so far, int16 at EAR_RATE."""
        with self._lock:
            return np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=5)
        self._thread.join(timeout=5)


class Hiss:
    """Steady white noise at `dbfs` RMS played into the room (the microphone's own hiss)."""

    def __init__(self, room: Room, dbfs: float, rate: int = 16000) -> None:
        self._proc = subprocess.Popen(["pacat", "--playback", "--device=room", "--raw", "--format=s16le",
                                       "--channels=1", f"--rate={rate}"], env=room.env, stdin=subprocess.PIPE)
        rng = np.random.default_rng(7)
        self._block = (rng.standard_normal(rate) * 32768 * 10 ** (dbfs / 20)).astype(np.int16).tobytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._proc.stdin.write(self._block)   # blocks while the server's buffer is full: real time
        except (BrokenPipeError, ValueError):
            pass

    def close(self) -> None:
        self._stop.set()
        self._proc.terminate()
        self._proc.wait(timeout=5)
        self._thread.join(timeout=5)
