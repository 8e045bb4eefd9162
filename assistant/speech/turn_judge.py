"""Reading an answer ahead, and ending it early when it sounds finished (listen.end_of_turn).

Once the silence after the last word reaches the endpointer's tail, the answer's audio is what the listener
would return if nobody speaks again; Whisper starts reading it at once in a worker thread (for the purpose it
will be kept for), so that when the silence ends the answer its text is ready: Whisper's time is no longer
added to the wait. If the person speaks again, the reading is dropped and the next pause starts another.

With listen.end_of_turn on, at listen.turn_check_s of silence the endpointer asks for the verdict: over when
the words do not trail off (unfinished.py) and, with listen.turn_model, pipecat's smart-turn model
(end_of_turn.py) also calls it complete; then the turn ends, unless the person spoke again while the verdict
was being reached. Nothing can tell an answer that pauses after a complete sentence ("My grandma called me. |
She just wanted to hear my voice.") from a finished one, so an answer that ended early stays open until
listen.keep_open_s after its last word, and words said meanwhile join it (dialog.py). The model is off by
default: on the bench's development voices it called trailing fragments ("The smell of") finished as often as
the words did not, and robotic voices' finished answers unfinished (scripts/bench_turn.py).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from assistant.config import ListenSettings
from assistant.speech.end_of_turn import COMPLETE_AT, EndOfTurn, load_end_of_turn
from assistant.speech.transcript import Purpose, Transcriber, Transcript
from assistant.speech.unfinished import sounds_unfinished


@dataclass(frozen=True)
class Verdict:
    """What an answer said, and whether it was judged over."""

    transcript: Transcript
    over: bool = False


class TurnJudge:
    """Reads (and, when answers may end early, judges) answers on one worker thread: Whisper and the model are
    never run from two threads at once."""

    def __init__(self, transcriber: Transcriber, ends_early: bool = False, model: EndOfTurn | None = None,
                 punctuated: bool = True) -> None:
        self.transcriber = transcriber
        self.ends_early = ends_early   # answers that sound finished may end at the short silence
        self.model = model             # asked too, when given
        self.punctuated = punctuated   # the engine writes sentence punctuation (Whisper)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer-reader")

    def judge(self, audio: np.ndarray, trailing_silence_s: float, purpose: Purpose | None = None,
              decide: bool = True) -> Verdict:
        """`audio`'s transcript and, when answers may end early and `decide`, whether it is over (it ends
        `trailing_silence_s` after its last word)."""
        transcript = self.transcriber.transcribe(audio, purpose)
        if not (self.ends_early and decide) or sounds_unfinished(transcript.text, self.punctuated):
            return Verdict(transcript)
        over = self.model is None or self.model.probability(audio, trailing_silence_s) > COMPLETE_AT
        return Verdict(transcript, over)

    def answer(self, purpose: Purpose | None = None, before: np.ndarray | None = None,
               may_end: bool = True) -> Speculation:
        """A fresh speculation for one answer, heard for `purpose`: `before`, the start of the answer already
        heard (it went on: what is offered is read joined to it); `may_end` False, read ahead only."""
        return Speculation(self, purpose, before, may_end)

    def submit(self, audio: np.ndarray, trailing_silence_s: float, purpose: Purpose | None,
               decide: bool = True) -> Future[Verdict]:
        """Judge `audio` on the worker thread."""
        return self._pool.submit(self.judge, audio, trailing_silence_s, purpose, decide)


class Speculation:
    """One answer read ahead (the endpointer's EarlyEnd): the audio offered last and its verdict to come."""

    def __init__(self, judge: TurnJudge, purpose: Purpose | None, before: np.ndarray | None = None,
                 may_end: bool = True) -> None:
        self._judge = judge
        self._purpose = purpose
        self._before = before
        self._may_end = may_end and judge.ends_early
        self._audio: np.ndarray | None = None
        self._verdict: Future[Verdict] | None = None

    def offer(self, audio: np.ndarray, trailing_silence_s: float) -> None:
        """The answer as it stands, `trailing_silence_s` after its last word: start reading it (joined to what
        came before it)."""
        self._audio = audio if self._before is None else np.concatenate([self._before, audio])
        self._verdict = self._judge.submit(self._audio, trailing_silence_s, self._purpose, self._may_end)

    def over(self) -> bool:
        """Whether the answer offered last is over (waits for the verdict; False at once when it may not end
        early)."""
        return self._may_end and self._verdict is not None and self._verdict.result().over

    def transcript(self, audio: np.ndarray) -> Transcript | None:
        """The transcript read ahead when `audio` (joined to what came before) is what was read, else None
        (after waiting for any reading under way, so that Whisper is free)."""
        if self._verdict is None:
            return None
        verdict = self._verdict.result()
        return verdict.transcript if self._audio is not None and np.array_equal(self._audio, audio) else None


def early_end_plan(settings: ListenSettings, hears_on: bool = True) -> tuple[bool, EndOfTurn | None, str]:
    """Whether answers may end early, the end-of-turn model when it is asked too, and a line saying which and
    why. `hears_on`: an answer that goes on over Glimmer's reply can be heard (recorded turns, or a live
    microphone with barge-in); without that, no answer ends early."""
    full = f"answers end after {settings.answer_silence_s:g} s of silence, their text read ahead"
    if not settings.end_of_turn:
        return False, None, f"end of turn: {full} (listen.end_of_turn: false)"
    if not hears_on:
        return False, None, f"end of turn: {full}: half-duplex cannot hear an answer go on over Glimmer's reply"
    if settings.turn_check_s >= settings.answer_silence_s:
        return False, None, (f"end of turn: listen.turn_check_s {settings.turn_check_s:g} is not shorter than "
                             f"listen.answer_silence_s {settings.answer_silence_s:g}: {full}")
    early = (f"answers whose words sound finished end after {settings.turn_check_s:g} s of silence and stay "
             f"open for {settings.keep_open_s:g} s")
    if not settings.turn_model:
        return True, None, f"end of turn: {early}"
    model, line = load_end_of_turn()
    if model is None:
        return False, None, line
    return True, model, f"{line}: {early}, when the model calls them complete too"


def make_turn_judge(settings: ListenSettings, transcriber: Transcriber, punctuated: bool,
                    hears_on: bool = True) -> tuple[TurnJudge, str]:
    """The judge (see early_end_plan) and a line saying how answers end."""
    ends_early, model, line = early_end_plan(settings, hears_on)
    return TurnJudge(transcriber, ends_early, model, punctuated), line
