"""Speaking and listening for one session: what practices and the loop talk through.

Before it listens, the dialog lets `HalfDuplex` make it ready (playback really over, the echo dropped).
With barge-in, a stop or pause said over Glimmer's voice cuts what is being said, leaves what the practice
goes on to say unsaid, and is what the next listen or pause hears. Answers are read ahead while the
silence that ends them runs (turn_judge.py), and may end early when they sound finished (listen.end_of_turn).
An answer that ended early stays open until listen.keep_open_s after its last word: words the person says
meanwhile, while Glimmer has begun to reply, join it, and the next listen or pause hears the whole answer
(`went_on`), for the practice to take back to where it was asked.
"""

import time
from dataclasses import dataclass, replace

import numpy as np

from assistant.controls import parse_control
from assistant.duplex import HalfDuplex
from assistant.events import Emit
from assistant.practices.ports import Heard
from assistant.speech.barge_in import BargeInWord, VoiceOver
from assistant.speech.endpoint import Listener, Prompt
from assistant.speech.pacing import Tempo
from assistant.speech.transcript import Purpose, Transcriber
from assistant.speech.tts import Narrator
from assistant.speech.turn_judge import Speculation, TurnJudge

VOICE_LEFT_S = 0.5   # an answer that went on over the voice: how soon after playback its words must go on


@dataclass(frozen=True)
class OpenAnswer:
    """An answer that ended early and may still go on, until listen.keep_open_s after its last word."""

    heard: Heard
    purpose: Purpose | None
    left_s: float      # how much of its open time was still to come when it ended
    ended_at: float    # time.monotonic() then


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
        self._overheard: BargeInWord | VoiceOver | None = None   # heard over the voice, for the next listen
        self._open: OpenAnswer | None = None   # the last answer, when it ended early and may still go on

    def say(self, text: str) -> None:
        """Speak `text` (queued; the next listen waits for it to finish). Nothing more is said once the
        person has said stop or pause over the voice, until that has been heard by a listen or pause."""
        if self._overheard is not None:
            return
        self.emit({"event": "say", "text": text})
        self.narrator.say(text, self.tempo, interrupted=self._interrupted)

    def _interrupted(self) -> bool:
        """Whether the person has said stop or pause over the voice so far, or gone on with their answer."""
        if self._overheard is None:
            self._overheard = self.duplex.overheard()
        return self._overheard is not None

    def _ready(self, new_turn: bool) -> Heard | None:
        """Make ready to listen. What is heard already, if anything: the stop or pause said over the voice
        meanwhile (a `heard` event), or the whole of the last answer when it ended early and went on."""
        open_answer, self._open = self._open, None
        if open_answer is not None and self.duplex.source.simulated:
            # A simulated turn plays on past the early end: Glimmer's reply took none of its time.
            if (whole := self._went_on(open_answer, open_answer.left_s)) is not None:
                return whole
        word = self.duplex.ready_to_listen(new_turn) or self._overheard
        self._overheard = None
        self.duplex.expect_voice(None)
        if isinstance(word, VoiceOver):   # it began in time: it goes on however long the reply played
            return self._went_on(open_answer, VOICE_LEFT_S, word.audio) if open_answer is not None else None
        if word is not None:
            self.emit({"event": "heard", "text": word.text, "over_voice": True})
            return Heard(word.text)
        if open_answer is not None and not self.duplex.source.simulated:
            return self._went_on(open_answer, open_answer.left_s - (time.monotonic() - open_answer.ended_at))
        return None

    def slower(self) -> None:
        """Speak, pause and wait more slowly for the rest of this session (a step each time it is asked)."""
        self.tempo = self.tempo.slower()

    def chime(self, name: str) -> None:
        """Play an earcon (not after a stop or pause over the voice, like say)."""
        if self._overheard is None:
            self.narrator.chime(name)

    def pause(self, seconds: float) -> Heard:
        """Real silence of `seconds`, listening all the while: the words if someone spoke (or the whole of
        the last answer, when it went on), else an empty Heard."""
        if (ready := self._ready(new_turn=False)) is not None:
            return ready
        self.narrator.silence(seconds)
        return self._transcribe(self.listener.listen("command", seconds))

    def listen(self, kind: str, timeout_s: float, purpose: Purpose | None = None) -> Heard:
        """Wait up to `timeout_s` for the person to speak; empty text when they stay silent. `purpose`
        "journal": the words are kept in the journal (see Transcriber). When the last answer ended early and
        went on, its whole is returned instead (`went_on`), before anything else is heard."""
        if (ready := self._ready(new_turn=True)) is not None:
            return ready
        if kind == "command":
            return self._transcribe(self.listener.listen("command", timeout_s), purpose)
        early = self._early(purpose)
        heard = self._transcribe(self.listener.listen("answer", timeout_s, early=early), purpose, early)
        return self._keep_open(heard, purpose)

    def _keep_open(self, heard: Heard, purpose: Purpose | None) -> Heard:
        """`heard`, marked `ended_early` (and kept open) when it ended before its full silence."""
        ends = self.listener.last
        if not heard.text or ends is None or not ends.judged_over:
            return heard
        settings = self.listener.settings
        left = max(settings.keep_open_s, settings.answer_silence_s) - (ends.returned_s - ends.speech_end_s)
        self._open = OpenAnswer(heard, purpose, left, time.monotonic())
        self.duplex.expect_voice(self._open.ended_at + left)
        return replace(heard, ended_early=True)

    def _went_on(self, open_answer: OpenAnswer, left_s: float, over_voice: np.ndarray | None = None) -> Heard | None:
        """The whole of `open_answer` when the person goes on within `left_s` (what is left of its open
        time; `over_voice`: what they said on over Glimmer's reply, echo-cancelled), else None."""
        before = open_answer.heard.audio
        if before is None or left_s <= 0:
            return None
        early = self._early(open_answer.purpose, before)
        audio = self.listener.listen("answer", left_s, preroll=over_voice, early=early)
        if audio is None:
            return None
        whole_audio = np.concatenate([before, audio])
        if early is not None:
            early.transcript(whole_audio)   # waits for the reading under way: Whisper runs on one thread at a time
        alone = self.transcriber.transcribe(audio).text.strip()
        if parse_control(alone) is not None:   # "stop" said then is a stop, not more of the answer
            self.emit({"event": "heard", "text": alone})
            return Heard(alone)
        whole = self._transcribe(whole_audio, open_answer.purpose, early, went_on=True)
        return replace(self._keep_open(whole, open_answer.purpose), went_on=True) if whole.text else None

    def settle(self) -> None:
        """The practice is over: its last answer can no longer go on (what is said next is not cut for it)."""
        self._open = None
        self.duplex.expect_voice(None)

    def hear_request(self, preroll: np.ndarray, wait_s: float, timeout_s: float) -> Heard:
        """What the person asks for after the wake phrase (`preroll`: what was heard right after it): in the
        same breath, or after a pause. When nothing has started after `wait_s` the listening chime plays and
        listening goes on without a break for `timeout_s` more, so a request that starts over the chime or
        just before it is heard whole."""
        early = self._early(None, may_end=False)
        audio = self.listener.listen("answer", wait_s + timeout_s, preroll=preroll,
                                     prompt=Prompt(wait_s, self._go_on, self.duplex.echo_delay_s()), early=early)
        return self._transcribe(audio, None, early)

    def _early(self, purpose: Purpose | None, before: np.ndarray | None = None,
               may_end: bool = True) -> Speculation | None:
        """One answer heard for `purpose` (going on from `before`), read ahead and, when it `may_end` early,
        judged as its silence runs; None without a judge. The request after the wake phrase is only read
        ahead: no practice is there yet to take it back if it went on."""
        return self.judge.answer(purpose, before, may_end) if self.judge is not None else None

    def _go_on(self) -> None:
        """The listening chime, heard through (what follows it is the half-duplex's to decide)."""
        self.chime("listening")
        self.duplex.prompt_played()

    def _transcribe(self, audio: np.ndarray | None, purpose: Purpose | None = None,
                    early: Speculation | None = None, went_on: bool = False) -> Heard:
        """The words in `audio` (as read ahead, when they were), with their confidence and the audio itself;
        an empty Heard when none. `went_on`: the whole of an answer that went on (so its `heard` event says)."""
        if audio is None:
            return Heard()
        judged = early.transcript(audio) if early is not None else None
        transcript = judged if judged is not None else self.transcriber.transcribe(audio, purpose)
        text = transcript.text.strip()
        if not text:
            return Heard()
        ended_early = self.listener.last is not None and self.listener.last.judged_over
        self.emit({"event": "heard", "text": text} | ({"ended_early": True} if ended_early else {})
                  | ({"went_on": True} if went_on else {}))
        return Heard(text, transcript.confidence, audio)
