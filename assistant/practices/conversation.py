"""A practice in progress: what it has gathered, and how it speaks, asks and hears through the Dialog.

Every utterance heard during a practice goes through `hear`, the one place it is checked: distress first
(the practice ends at once with the support response), then "stop", then the other spoken controls; only
what is none of these is taken as an answer. An ending is a result, not an exception: `hear`, `ask` and
each step's runner return it, and the runner's loop stops on it. One is not an end: an answer that ended early
(at a short silence) and went on once Glimmer had begun to reply comes back as WENT_ON, whole, and the runner
takes the practice back to the step that asked for it, where it is the answer.
"""

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from assistant.controls import Control, parse_control
from assistant.practices.ports import Dialog, Heard, JournalSink
from assistant.practices.steps import Capture, Practice, placeholders
from assistant.safety import is_distress
from assistant.speech.textprep import without_pauses
from assistant.speech.transcript import Purpose

HOLD_WAIT_S = 30.0  # while paused: one listening window ...
HOLD_WINDOWS = 10  # ... this many times (five minutes), then the practice ends gently
ON_HOLD = "Of course. I'll wait. Say continue when you're ready, or stop to finish."
SLOWING = "Of course. I'll go more slowly."


class Ending(enum.Enum):
    """Why a practice ends before its last step; the value is the PracticeResult's status."""

    STOPPED = "stopped"  # the person said stop (or stayed paused a long time)
    SUPPORT = "support"  # distress was heard: end now, give the support response
    WENT_ON = "went on"  # not an end: an answer went on after it had ended early; the runner goes back to it


StepOutcome = str | Ending | None  # what a step's runner returns: a step id to jump to, an Ending, or None


@dataclass
class PracticeResult:
    """How a practice ended and what it gathered."""

    name: str
    status: str  # "finished", "stopped" (the person said stop) or "support" (distress response given)
    values: dict[str, str | None] = field(default_factory=dict)
    ratings: dict[str, int | None] = field(default_factory=dict)
    entries: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """What was heard after a question: "" on silence."""

    heard: Heard = Heard()  # the words (stripped), with their confidence and audio
    control: Control | None = None  # SKIP or CONTINUE; the others are handled while listening

    @property
    def text(self) -> str:
        return self.heard.text

    @property
    def silent(self) -> bool:
        return not self.text


class Conversation:
    """One run of a practice: its values so far, and speaking, asking and hearing with the person."""

    def __init__(self, practice: Practice, dialog: Dialog, journal: JournalSink,
                 emit: Callable[[dict], None], context: dict):
        self.practice, self.dialog, self.journal, self.emit = practice, dialog, journal, emit
        self.result = PracticeResult(practice.name, "finished")
        said = {k: v.text if isinstance(v, Heard) else v for k, v in context.items()}
        self.values: dict[str, str | None] = {k: str(v) for k, v in said.items() if v}
        self.handed_in = set(self.values)  # answers already spoken: each skips its listen step once
        self.heard: dict[str, Heard] = {k: v for k, v in context.items() if isinstance(v, Heard)}  # with audio
        self.last_prompt = ""
        self.kept = {s.value for s in practice.steps if isinstance(s, Capture)}  # answers the journal keeps
        self.ended_early = False   # an answer heard since the runner last looked ended at a short silence
        self.resumed: Heard | None = None   # an answer that went on, whole: what the next ask hears

    def render(self, text: str | None) -> str | None:
        """`text` with {name} filled in; None when a name has no value (the step is then left out)."""
        if text is None or any(not self.values.get(name) for name in placeholders(text)):
            return None
        # An answer's own closing punctuation would double the template's ("...tonight..").
        return re.sub(r"\{([a-z][a-z0-9_]*)\}",
                      lambda m: without_pauses(self.values[m.group(1)] or "").rstrip(" .!?;,"), text)

    def speak(self, text: str, remember: bool = True) -> None:
        """Say `text`; a prompt is remembered so that "repeat" says it again."""
        if remember:
            self.last_prompt = text
        self.dialog.say(text)

    def ask(self, prompt: str, timeout: float, purpose: Purpose | None = None) -> Answer | Ending:
        """Speak `prompt` and listen (for `purpose`, see Dialog.listen); pause, repeat and slower are handled
        here, stop and distress returned, and so is WENT_ON. After WENT_ON, the answer that went on is heard
        by the next ask at once, without its prompt."""
        resumed, self.resumed = self.resumed, None
        if resumed is None:
            self.speak(prompt)
        while True:
            heard = resumed or self.dialog.listen("answer", self.dialog.tempo.stretch(timeout), purpose)
            resumed = None
            if heard.went_on:
                return self.went_on(heard)
            text = heard.text.strip()
            if not text:
                return Answer()
            self.ended_early = self.ended_early or heard.ended_early
            control = self.interrupt(text)
            if isinstance(control, Ending):
                return control
            if control is None:
                return Answer(replace(heard, text=text))
            if control in (Control.SKIP, Control.CONTINUE):
                return Answer(replace(heard, text=text), control)
            if control is not Control.REPEAT:  # after a hold or slowing down, the question again
                self.speak(self.last_prompt)

    def went_on(self, whole: Heard) -> Ending:
        """An answer that ended early went on: `whole` is all of it, for the next ask to hear."""
        self.resumed = replace(whole, went_on=False)
        return Ending.WENT_ON

    def hear(self, text: str) -> Control | Ending | None:
        """The Ending `text` calls for (distress first, then stop), else the control it asks for, else None."""
        if is_distress(text):
            return Ending.SUPPORT
        control = parse_control(text)
        return Ending.STOPPED if control is Control.STOP else control

    def interrupt(self, text: str) -> Control | Ending | None:
        """React to something heard: distress and stop are returned as the Ending; pause waits (and returns
        the Ending if the wait ends the practice); repeat and slower act."""
        control = self.hear(text)
        if control is Control.PAUSE:
            return self.hold() or control
        if control is Control.REPEAT:
            self.speak(self.last_prompt)
        elif control is Control.SLOWER:
            self.dialog.slower()
            self.speak(SLOWING, remember=False)
        return control

    def hold(self) -> Ending | None:
        """Paused: wait for "continue" (any words but stop or pause will do); None once the person goes on,
        the Ending if they say stop or show distress; a long quiet ends gently (STOPPED)."""
        self.speak(ON_HOLD, remember=False)
        for _ in range(HOLD_WINDOWS):
            text = self.dialog.listen("command", HOLD_WAIT_S).text.strip()
            if not text:
                continue
            heard = self.hear(text)
            if isinstance(heard, Ending):
                return heard
            if heard is not Control.PAUSE:
                self.speak("Okay.", remember=False)
                return None
        return Ending.STOPPED
