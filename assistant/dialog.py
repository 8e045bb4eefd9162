"""Speaking and listening for one session: what practices and the loop talk through.

Before it listens, the dialog lets `HalfDuplex` make it ready (playback really over, the echo dropped).
With barge-in, a stop or pause said over Glimmer's voice cuts what is being said, leaves what the practice
goes on to say unsaid, and is what the next listen or pause hears. Answers are read ahead while the
silence that ends them runs (turn_judge.py), and may end early when they sound finished (listen.end_of_turn).
"""


import numpy as np

from assistant.duplex import HalfDuplex
from assistant.events import Emit
from assistant.practices.ports import Heard
from assistant.speech.barge_in import BargeInWord
from assistant.speech.endpoint import Listener, Prompt
from assistant.speech.pacing import Tempo
from assistant.speech.transcript import Purpose, Transcriber
from assistant.speech.tts import Narrator
from assistant.speech.turn_judge import Speculation, TurnJudge


class SpokenDialog:
    """The practices' Dialog over the real voice, listener and transcriber."""

    def __init__(self, duplex: HalfDuplex, narrator: Narrator, listener: Listener,
                 transcriber: Transcriber, emit: Emit, judge: TurnJudge | None = None) -> None:
        self.duplex = duplex
        self.narrator = narrator
        self.listener = listener
        self.transcriber = transcriber
        self.emit = emit
        self.judge = judge
        self.tempo = Tempo()  # this conversation's: the usual pace until the person asks for "slower"
        self._overheard: BargeInWord | None = None   # said over the voice, for the next listen or pause

    def say(self, text: str) -> None:
        """Speak `text` (queued; the next listen waits for it to finish). Nothing more is said once the
        person has said stop or pause over the voice, until that has been heard by a listen or pause."""
        if self._overheard is not None:
            return
        self.emit({"event": "say", "text": text})
        self.narrator.say(text, self.tempo, interrupted=self._interrupted)

    def _interrupted(self) -> bool:
        """Whether the person has said stop or pause over the voice so far."""
        if self._overheard is None:
            self._overheard = self.duplex.overheard()
        return self._overheard is not None

    def _ready(self, new_turn: bool) -> str | None:
        """Make ready to listen; the stop or pause said over the voice meanwhile, if any (a `heard` event)."""
        word = self.duplex.ready_to_listen(new_turn) or self._overheard
        self._overheard = None
        if word is None:
            return None
        self.emit({"event": "heard", "text": word.text, "over_voice": True})
        return word.text

    def slower(self) -> None:
        """Speak, pause and wait more slowly for the rest of this session (a step each time it is asked)."""
        self.tempo = self.tempo.slower()

    def chime(self, name: str) -> None:
        """Play an earcon (not after a stop or pause over the voice, like say)."""
        if self._overheard is None:
            self.narrator.chime(name)

    def pause(self, seconds: float) -> str | None:
        """Real silence of `seconds`, listening all the while: the words if someone spoke, else None."""
        if (overheard := self._ready(new_turn=False)) is not None:
            return overheard
        self.narrator.silence(seconds)
        return self._transcribe(self.listener.listen("command", seconds)).text or None

    def listen(self, kind: str, timeout_s: float, purpose: Purpose | None = None) -> Heard:
        """Wait up to `timeout_s` for the person to speak; empty text when they stay silent. `purpose`
        "journal": the words are kept in the journal (see Transcriber)."""
        if (overheard := self._ready(new_turn=True)) is not None:
            return Heard(overheard)
        if kind == "command":
            return self._transcribe(self.listener.listen("command", timeout_s), purpose)
        early = self._early(purpose)
        return self._transcribe(self.listener.listen("answer", timeout_s, early=early), purpose, early)

    def hear_request(self, preroll: np.ndarray, wait_s: float, timeout_s: float) -> Heard:
        """What the person asks for after the wake phrase (`preroll`: what was heard right after it): in the
        same breath, or after a pause. When nothing has started after `wait_s` the listening chime plays and
        listening goes on without a break for `timeout_s` more, so a request that starts over the chime or
        just before it is heard whole."""
        early = self._early(None)
        audio = self.listener.listen("answer", wait_s + timeout_s, preroll=preroll,
                                     prompt=Prompt(wait_s, self._go_on), early=early)
        return self._transcribe(audio, None, early)

    def _early(self, purpose: Purpose | None) -> Speculation | None:
        """One answer heard for `purpose`, read ahead (and judged) as its silence runs; None without a judge."""
        return self.judge.answer(purpose) if self.judge is not None else None

    def _go_on(self) -> None:
        """The listening chime, heard through (what follows it is the half-duplex's to decide)."""
        self.chime("listening")
        self.duplex.prompt_played()

    def _transcribe(self, audio: np.ndarray | None, purpose: Purpose | None = None,
                    early: Speculation | None = None) -> Heard:
        """The words in `audio` (as read ahead, when they were), with their confidence and the audio itself;
        an empty Heard when none."""
        if audio is None:
            return Heard()
        judged = early.transcript(audio) if early is not None else None
        transcript = judged if judged is not None else self.transcriber.transcribe(audio, purpose)
        text = transcript.text.strip()
        if not text:
            return Heard()
        ended_early = self.listener.last is not None and self.listener.last.judged_over
        self.emit({"event": "heard", "text": text} | ({"ended_early": True} if ended_early else {}))
        return Heard(text, transcript.confidence, audio)
