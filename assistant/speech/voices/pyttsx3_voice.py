"""The fallback voice: pyttsx3 driving espeak-ng, synthesized to a file in a child process with a timeout.

pyttsx3's own playback (`say` + `runAndWait`) hangs or clips on small boards; here it only ever writes a
WAV, in a separate process that is killed if it does not finish, so a broken engine costs one clear line.
"""

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE
from assistant.audio.wav import read_wav
from assistant.errors import GlimmerError

DEFAULT_VOICE = "gmw/en-us"

# runAndWait can return before espeak-ng's own thread has written the file (pyttsx3 2.99 starts synthesis
# after ending its loop), so the child also waits for the "finished-utterance" notification.
_CHILD = r"""
import sys, threading, pyttsx3
text, path, rate, voice = sys.argv[1:5]
engine = pyttsx3.init("espeak")
finished = threading.Event()
engine.connect("finished-utterance", lambda **_: finished.set())
voices = engine.getProperty("voices")
match = [v.id for v in voices if voice.lower() in (v.id, v.id.split("/")[-1], v.name.lower())]
if not match:
    sys.exit(f"espeak-ng has no voice {voice!r}; English ones: "
             + ", ".join(v.id for v in voices if v.id.split("/")[-1].startswith("en")))
engine.setProperty("voice", match[0])
engine.setProperty("rate", int(float(rate)))
engine.save_to_file(text, path)
engine.runAndWait()
finished.wait()
"""


class Pyttsx3Voice:
    """espeak-ng through pyttsx3 at `rate` words per minute (its own measure). `voice` is an espeak-ng
    voice id ("gmw/en-us"), its last part ("en-gb-x-rp") or its name ("English (America)")."""

    def __init__(self, voice: str = "", rate: float = 140.0, timeout_s: float | None = None) -> None:
        if importlib.util.find_spec("pyttsx3") is None:     # imported only in the child process
            raise GlimmerError("pyttsx3 is not installed (pip install pyttsx3)")
        self.voice = voice or DEFAULT_VOICE
        self.rate = rate
        self.timeout_s = timeout_s

    def synthesize(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        """Int16 16 kHz audio of `text`; `speed` multiplies the base rate."""
        timeout = self.timeout_s if self.timeout_s is not None else 10.0 + 0.2 * len(text)
        with tempfile.TemporaryDirectory(prefix="glimmer-tts-") as tmp:
            path = Path(tmp) / "speech.wav"
            args = [sys.executable, "-c", _CHILD, text, str(path), str(self.rate * speed), self.voice]
            try:
                done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise GlimmerError(f"pyttsx3/espeak-ng did not finish speaking within {timeout:g} s; "
                                   "check espeak-ng with 'glimmer doctor'") from None
            lines = (done.stderr.strip() or "no error message").splitlines()
            if done.returncode != 0 or not path.exists() or path.stat().st_size <= 44:
                raise GlimmerError(f"pyttsx3/espeak-ng could not synthesize speech: {lines[-1]}")
            return read_wav(path), SAMPLE_RATE
