"""Speaking and listening for one session: what practices and the loop talk through.

Half-duplex: before it listens, the dialog lets `HalfDuplex` make it ready (playback really over, the echo
dropped).
"""

from dataclasses import dataclass

import numpy as np

from assistant.duplex import HalfDuplex
from assistant.events import Emit
from assistant.practices.runner import Heard
from assistant.speech.endpoint import Listener, Prompt
from assistant.speech.transcribe import Transcriber
from assistant.speech.tts import Narrator

SLOWER_STEP = 0.88  # each "slower": about 12 % slower speech and pace
SLOWEST = 0.78      # about 100 words per minute: slower than that drags (GUIDE section 5)


@dataclass
class Utterance:
    """The last thing heard, with its audio (kept in the journal only with journal.keep_audio)."""

    text: str
    confidence: float
    audio: np.ndarray


class SpokenDialog:
    """The practices' Dialog over the real voice, listener and transcriber."""

    def __init__(self, duplex: HalfDuplex, narrator: Narrator, listener: Listener,
                 transcriber: Transcriber, emit: Emit) -> None:
        self.duplex = duplex
        self.narrator = narrator
        self.listener = listener
        self.transcriber = transcriber
        self.emit = emit
        self.last: Utterance | None = None
        self.speed = 1.0

    def say(self, text: str) -> None:
        """Speak `text` (queued; the next listen waits for it to finish)."""
        self.emit({"event": "say", "text": text})
        self.narrator.say(text, speed=self.speed)

    def slower(self) -> None:
        """Speak more slowly for the rest of this session (a step each time "slower" is asked for)."""
        self.speed = max(SLOWEST, self.speed * SLOWER_STEP)

    def chime(self, name: str) -> None:
        """Play an earcon."""
        self.narrator.chime(name)

    def pause(self, seconds: float) -> str | None:
        """Real silence of `seconds`, listening all the while: the words if someone spoke, else None."""
        self.duplex.ready_to_listen(new_turn=False)
        self.narrator.silence(seconds)
        return self._transcribe(self.listener.listen("command", seconds))

    def listen(self, kind: str, timeout_s: float) -> Heard:
        """Wait up to `timeout_s` for the person to speak; empty text when they stay silent."""
        self.duplex.ready_to_listen(new_turn=True)
        text = self._transcribe(self.listener.listen(kind, timeout_s))
        return Heard(text or "", self.last.confidence if text and self.last else 0.0)

    def hear_request(self, preroll: np.ndarray, wait_s: float, timeout_s: float) -> str | None:
        """What the person asks for after the wake phrase (`preroll`: what was heard right after it): in the
        same breath, or after a pause. When nothing has started after `wait_s` the listening chime plays and
        listening goes on without a break for `timeout_s` more, so a request that starts over the chime or
        just before it is heard whole."""
        audio = self.listener.listen("answer", wait_s + timeout_s, preroll=preroll,
                                     prompt=Prompt(wait_s, self._go_on))
        return self._transcribe(audio)

    def _go_on(self) -> None:
        """The listening chime, heard through (what follows it is the half-duplex's to decide)."""
        self.chime("listening")
        self.duplex.prompt_played()

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
