"""Speaking and listening for one session: what practices and the loop talk through.

Half-duplex: before it listens, the dialog waits until playback has really finished, lets a short tail
pass, and starts a fresh turn (the microphone drops what it captured while Glimmer was speaking).
"""

import time
from dataclasses import dataclass

import numpy as np

from assistant.audio.sources import AudioSource
from assistant.config import Settings
from assistant.events import Emit
from assistant.practices.runner import Heard
from assistant.speech.endpoint import Listener
from assistant.speech.transcribe import Transcriber
from assistant.speech.tts import Narrator


@dataclass
class Utterance:
    """The last thing heard, with its audio (kept in the journal only with journal.keep_audio)."""

    text: str
    confidence: float
    audio: np.ndarray


class SpokenDialog:
    """The practices' Dialog over the real voice, listener and transcriber."""

    def __init__(self, settings: Settings, source: AudioSource, narrator: Narrator, listener: Listener,
                 transcriber: Transcriber, emit: Emit) -> None:
        self.settings = settings
        self.source = source
        self.narrator = narrator
        self.listener = listener
        self.transcriber = transcriber
        self.emit = emit
        self.last: Utterance | None = None

    def say(self, text: str) -> None:
        """Speak `text` (queued; the next listen waits for it to finish)."""
        self.emit({"event": "say", "text": text})
        self.narrator.say(text)

    def chime(self, name: str) -> None:
        """Play an earcon."""
        self.narrator.chime(name)

    def pause(self, seconds: float) -> str | None:
        """Real silence of `seconds`, listening all the while: the words if someone spoke, else None."""
        self._finish_playback()
        self.narrator.silence(seconds)
        return self._hear("command", seconds, new_turn=False)

    def listen(self, kind: str, timeout_s: float) -> Heard:
        """Wait up to `timeout_s` for the person to speak; empty text when they stay silent."""
        self._finish_playback()
        text = self._hear(kind, timeout_s, new_turn=True)
        return Heard(text or "", self.last.confidence if text and self.last else 0.0)

    def hear_more(self, preroll: np.ndarray, timeout_s: float) -> str | None:
        """Speech that carries straight on from the wake phrase (same turn), if any."""
        audio = self.listener.listen("answer", timeout_s, preroll=preroll)
        return self._transcribe(audio)

    def _finish_playback(self) -> None:
        self.narrator.sink.wait_done()
        if not self.source.simulated:
            time.sleep(self.settings.wake.mute_tail_s)

    def _hear(self, kind: str, timeout_s: float, new_turn: bool) -> str | None:
        if new_turn:
            self.source.begin_turn()
        return self._transcribe(self.listener.listen(kind, timeout_s))

    def _transcribe(self, audio: np.ndarray | None) -> str | None:
        if audio is None:
            return None
        transcript = self.transcriber.transcribe(audio)
        text = transcript.text.strip()
        if not text:
            return None
        self.last = Utterance(text, transcript.confidence, audio)
        self.emit({"event": "heard", "text": text})
        return text
