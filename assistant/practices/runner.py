"""Runs one practice through a Dialog (speech out, listening in) and a journal; never imports an engine.

Every heard utterance is first checked for distress (the practice ends at once with the support response),
then for a spoken control (stop, pause/continue, repeat, slower, skip), and only then taken as an answer.
Events: the runner emits `rating` and `support`; `say` and `heard` are the Dialog's to emit, `journal` the
JournalSink's (they see the words as they are really spoken and saved).
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.config import SafetySettings
from assistant.controls import Control, parse_control
from assistant.practices import correction
from assistant.practices.answers import choose_option, is_nothing, parse_rating
from assistant.practices.correction import Correction, parse_correction
from assistant.practices.schema import (DEFAULT_READ_BACK, END, Capture, Chime, Choose, Listen, Pause, Practice,
                                        Rate, Say, Step, placeholders)
from assistant.safety import is_distress, offer_support
from assistant.speech.textprep import without_pauses

MAX_STEPS = 500  # a guard against a practice whose jumps loop for ever
HOLD_WAIT_S = 30.0  # while paused: one listening window ...
HOLD_WINDOWS = 10  # ... this many times (five minutes), then the practice ends gently
QUIET_ANNOUNCE_S = 10.0  # silences longer than this are announced
MAX_PACE = 1.75
CORRECTION_WAIT_S = 10.0  # after the read-back: silence this long and the practice goes on

DEFAULT_REASK = "Take your time. Anything small is fine, or you can say nothing."
RATE_REASK = "If you like, any number from zero to ten. Or you can say skip."
RATE_UNCLEAR = "I didn't quite catch a number. Any number from zero to ten is fine, or you can say skip."
AFTER_SILENCE = "That's okay. We can go on."
AFTER_NOTHING = "That's okay. Thank you."
ON_HOLD = "Of course. I'll wait. Say continue when you're ready, or stop to finish."
SLOWING = "Of course. I'll go more slowly."


@dataclass(frozen=True)
class Heard:
    """What the person said at a listening moment: "" on silence."""

    text: str
    confidence: float = 0.0


class Dialog(Protocol):
    """Speech out and listening in, as the assistant loop provides them."""

    def say(self, text: str) -> None: ...
    def pause(self, seconds: float) -> str | None: ...  # exact silence; heard text if speech occurred
    def listen(self, kind: str, timeout_s: float) -> Heard: ...
    def chime(self, name: str) -> None: ...
    def slower(self) -> None: ...  # speak more slowly from now on


class JournalSink(Protocol):
    """Where captured glimmers go."""

    def add(self, text: str, *, practice: str | None = None, senses: Sequence[str] = (),
            calm_before: int | None = None, calm_after: int | None = None,
            confidence: float | None = None) -> int: ...
    def delete(self, entry_id: int) -> bool: ...  # removed for good; False if there is no such entry


@dataclass
class PracticeResult:
    """How a practice ended and what it gathered."""

    name: str
    status: str  # "finished", "stopped" (the person said stop) or "support" (distress response given)
    values: dict[str, str | None] = field(default_factory=dict)
    ratings: dict[str, int | None] = field(default_factory=dict)
    entries: list[int] = field(default_factory=list)


def run_practice(practice: Practice, dialog: Dialog, journal: JournalSink, emit: Callable[[dict], None],
                 context: dict | None = None, safety: SafetySettings | None = None) -> PracticeResult:
    """Run `practice` to its end, a spoken "stop", or a distress response.

    `context` may hand in values by name: "replay" (words of a past glimmer), or the answer to a listen
    step already spoken (e.g. {"glimmer": "the heron"} right after the wake phrase), which is then not asked.
    """
    return _Session(practice, dialog, journal, emit, dict(context or {}), safety or SafetySettings()).run()


class _Stopped(Exception):
    """The person said stop (or stayed paused a long time)."""


class _Distress(Exception):
    """Distress was heard: end now, give the support response."""


@dataclass(frozen=True)
class _Answer:
    text: str = ""
    confidence: float = 0.0
    control: Control | None = None  # SKIP or CONTINUE; the others are handled while listening

    @property
    def silent(self) -> bool:
        return not self.text


class _Session:
    def __init__(self, practice: Practice, dialog: Dialog, journal: JournalSink,
                 emit: Callable[[dict], None], context: dict, safety: SafetySettings):
        self.practice, self.dialog, self.journal, self.emit, self.safety = practice, dialog, journal, emit, safety
        self.result = PracticeResult(practice.name, "finished")
        self.values: dict[str, str | None] = {k: str(v) for k, v in context.items() if v}
        self.handed_in = set(self.values)  # answers already spoken: each skips its listen step once
        self.confidence: dict[str, float] = {}
        self.pace = 1.0
        self.last_prompt = ""

    # -- flow -----------------------------------------------------------------------------------------------
    def run(self) -> PracticeResult:
        steps, index, executed = self.practice.steps, 0, 0
        try:
            while index < len(steps) and executed < MAX_STEPS:
                step, executed = steps[index], executed + 1
                target = None if step.when and not self.values.get(step.when) else (self.step(step) or step.goto)
                if target == END:
                    break
                index = self.practice.index(target) if target else index + 1
        except _Stopped:
            self.result.status = "stopped"
            self.dialog.say("Okay, we'll stop here.")
            if self.result.entries:
                self.dialog.say("What you shared is kept in your journal.")
            self.dialog.chime("done")
        except _Distress:
            self.result.status = "support"
            offer_support(self.dialog, self.safety, self.emit)
        self.result.values = dict(self.values)
        return self.result

    def step(self, step: Step) -> str | None:
        """Carry out one step; the id to jump to, or None for the next one."""
        if isinstance(step, Say):
            text = self.render(step.text)
            if text is not None:
                self.speak(text)
        elif isinstance(step, Pause):
            self.pause(step)
        elif isinstance(step, Listen):
            return self.listen_step(step)
        elif isinstance(step, Capture):
            return self.capture(step)
        elif isinstance(step, Rate):
            self.rate(step)
        elif isinstance(step, Choose):
            return self.choose(step)
        elif isinstance(step, Chime):
            self.dialog.chime(step.name)
        return None

    def render(self, text: str | None) -> str | None:
        """`text` with {name} filled in; None when a name has no value (the step is then left out)."""
        if text is None or any(not self.values.get(name) for name in placeholders(text)):
            return None
        # An answer's own closing punctuation would double the template's ("...tonight..").
        return re.sub(r"\{([a-z][a-z0-9_]*)\}",
                      lambda m: without_pauses(self.values[m.group(1)] or "").rstrip(" .!?;,"), text)

    # -- steps ----------------------------------------------------------------------------------------------
    def pause(self, step: Pause) -> None:
        seconds = step.seconds * self.pace
        if seconds > QUIET_ANNOUNCE_S:
            self.speak(self.render(step.announce) or f"I'll be quiet for about {_seconds_words(seconds)}.",
                       remember=False)
        for _ in range(3):  # a "repeat" during the silence says the prompt again and gives the silence again
            heard = self.dialog.pause(seconds)
            if not heard or self.interrupt(heard) is not Control.REPEAT:
                return

    def listen_step(self, step: Listen) -> str | None:
        if step.keep in self.handed_in:
            self.handed_in.discard(step.keep)
            return None  # already said, handed in by the assistant; asked again if the practice loops back
        question = self.render(step.text)
        if question is None:
            return None
        answer = self.ask(question, step.timeout)
        if answer.silent:
            answer = self.ask(self.render(step.reask) or DEFAULT_REASK, step.timeout)
        self.values[step.keep] = None
        if answer.silent:
            target = step.on_silence or step.on_nothing
            if target is None:
                self.speak(AFTER_SILENCE, remember=False)
            return target
        if answer.control is not None or is_nothing(answer.text):
            target = step.on_nothing or step.on_silence
            if target is None:
                self.speak(AFTER_NOTHING, remember=False)
            return target
        self.values[step.keep] = answer.text
        self.confidence[step.keep] = answer.confidence
        return None

    def capture(self, step: Capture) -> str | None:
        """Keep the words; then, unless `correct` is off, read them back and offer "change it" or "undo"."""
        if not self.values.get(step.value):
            return None
        entry = self.keep(step)
        if not step.correct:
            return None
        read_back = self.render(step.read_back_text) or self.render(DEFAULT_READ_BACK.format(name=step.value))
        answer = self.ask(f"{read_back} {correction.INVITE}", CORRECTION_WAIT_S)
        wish = None if answer.silent or answer.control else parse_correction(answer.text)
        if wish is Correction.CHANGE:
            wish = self.say_again(step, entry)
        if wish is Correction.UNDO:
            self.forget(step, entry)
            self.speak(correction.REMOVED, remember=False)
            return step.on_undo
        return None

    def keep(self, step: Capture) -> int:
        """Save the value kept as `step.value` to the journal, with a chime once it is durable."""
        entry = self.journal.add(self.values[step.value] or "", practice=self.practice.name, senses=step.senses,
                                 calm_before=self.result.ratings.get(step.calm_before or ""),
                                 calm_after=self.result.ratings.get(step.calm_after or ""),
                                 confidence=self.confidence.get(step.value))
        self.result.entries.append(entry)
        self.dialog.chime("saved")
        return entry

    def say_again(self, step: Capture, entry: int) -> Correction | None:
        """"Change it": hear the words again and keep them in place of `entry`; UNDO if "undo" is said now."""
        answer = self.ask(correction.SAY_AGAIN, CORRECTION_WAIT_S)
        if answer.silent or parse_correction(answer.text) is Correction.CHANGE:
            answer = self.ask(correction.SAY_AGAIN_REASK, CORRECTION_WAIT_S)
        wish = None if answer.silent else parse_correction(answer.text)
        if wish is Correction.UNDO:
            return wish
        if answer.silent or answer.control is not None or wish is not None or is_nothing(answer.text):
            self.speak(correction.LEFT_AS_IT_WAS, remember=False)
            return None
        self.values[step.value], self.confidence[step.value] = answer.text, answer.confidence
        self.keep(step)
        self.forget(step, entry, cleared=False)
        self.speak(self.render(f"Thank you. I've kept your new words: {{{step.value}}}.") or "Thank you.",
                   remember=False)
        return None

    def forget(self, step: Capture, entry: int, cleared: bool = True) -> None:
        """Remove `entry` from the journal for good; with `cleared`, its words are no longer used by later steps."""
        self.journal.delete(entry)
        self.result.entries.remove(entry)
        if cleared:
            self.values[step.value] = None

    def rate(self, step: Rate) -> None:
        question = self.render(step.text)
        if question is None:
            return
        answer = self.ask(question, step.timeout)
        if answer.silent:
            answer = self.ask(self.render(step.reask) or RATE_REASK, step.timeout)
        elif answer.control is None and parse_rating(answer.text) is None and not is_nothing(answer.text):
            answer = self.ask(RATE_UNCLEAR, step.timeout)
        value = None if answer.control is not None else parse_rating(answer.text)
        self.result.ratings[step.keep] = value
        self.values[step.keep] = None if value is None else str(value)
        self.emit({"event": "rating", "name": step.keep, "value": value})

    def choose(self, step: Choose) -> str | None:
        options = [o for o in step.options if not o.when or self.values.get(o.when)]
        question = self.render(step.text)
        if len(options) < 2 or question is None:
            return options[0].goto if options else step.default
        labels = [o.label for o in options]
        spoken = _either(labels)
        yes_no = sorted(label.lower() for label in labels) == ["no", "yes"]
        answer = self.ask(question if yes_no else f"You could choose {spoken}. {question}", step.timeout)
        for attempt in range(2):
            if answer.control is Control.SKIP:
                break
            if not answer.silent:
                picked = choose_option(answer.text, labels, [o.match for o in options])
                if picked is not None:
                    if step.keep:
                        self.values[step.keep] = labels[picked]
                    return options[picked].goto
                if is_nothing(answer.text):
                    break
            if attempt == 1:
                break
            unclear = "" if answer.silent else "Sorry, I didn't quite catch that. "
            answer = self.ask(f"{unclear}You can say {spoken}, or skip.", step.timeout)
        return step.default

    # -- speaking and listening -----------------------------------------------------------------------------
    def speak(self, text: str, remember: bool = True) -> None:
        """Say `text` (sentence by sentence with extra room once "slower" was asked for)."""
        if remember:
            self.last_prompt = text
        sentences = [text] if self.pace == 1.0 else re.split(r"(?<=[.!?])\s+", text)
        for number, sentence in enumerate(sentences):
            self.dialog.say(sentence)
            if number < len(sentences) - 1:
                heard = self.dialog.pause(2.0 * (self.pace - 1.0))
                if heard:
                    self.interrupt(heard)

    def ask(self, prompt: str, timeout: float) -> _Answer:
        """Speak `prompt` and listen; stop, pause, repeat and slower are handled here."""
        self.speak(prompt)
        while True:
            heard = self.dialog.listen("answer", timeout * self.pace)
            text = heard.text.strip()
            if not text:
                return _Answer()
            control = self.interrupt(text)
            if control is None:
                return _Answer(text, heard.confidence)
            if control in (Control.SKIP, Control.CONTINUE):
                return _Answer(text, heard.confidence, control)
            if control is not Control.REPEAT:  # after a hold or slowing down, the question again
                self.speak(self.last_prompt)

    def interrupt(self, text: str) -> Control | None:
        """React to something heard: distress and stop end the practice; pause waits; repeat, slower act."""
        if is_distress(text):
            raise _Distress
        control = parse_control(text)
        if control is Control.STOP:
            raise _Stopped
        if control is Control.PAUSE:
            self.hold()
        elif control is Control.REPEAT:
            self.speak(self.last_prompt)
        elif control is Control.SLOWER:
            self.pace = min(self.pace + 0.25, MAX_PACE)
            self.dialog.slower()
            self.speak(SLOWING, remember=False)
        return control

    def hold(self) -> None:
        """Paused: wait for "continue" (any words but stop or pause will do); a long quiet ends gently."""
        self.speak(ON_HOLD, remember=False)
        for _ in range(HOLD_WINDOWS):
            text = self.dialog.listen("command", HOLD_WAIT_S).text.strip()
            if not text:
                continue
            if is_distress(text):
                raise _Distress
            control = parse_control(text)
            if control is Control.STOP:
                raise _Stopped
            if control is not Control.PAUSE:
                self.speak("Okay.", remember=False)
                return
        raise _Stopped


def _either(labels: list[str]) -> str:
    """"a, b, or c" / "a or b"."""
    serial_comma = "," if len(labels) > 2 else ""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])}{serial_comma} or {labels[-1]}"


_TENS = {10: "ten", 15: "fifteen", 20: "twenty", 25: "twenty-five", 30: "thirty", 35: "thirty-five",
         40: "forty", 45: "forty-five", 50: "fifty", 55: "fifty-five", 60: "a minute"}


def _seconds_words(seconds: float) -> str:
    """About how long, in words: 14.6 → "fifteen seconds"; up to a minute and a half."""
    rounded = min(max(int(5 * round(seconds / 5)), 10), 90)
    if rounded > 60:
        return "a minute or so"
    return _TENS[rounded] + ("" if rounded == 60 else " seconds")
