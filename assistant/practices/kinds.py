"""The step kinds, in one table: for each, its YAML keys, builder, jumps, runner and how it reads aloud.

Adding a kind is a dataclass in steps.py, a builder in build.py, a runner in perform.py and one entry
here; the parser, the checks, the runner and the outline all go through this table.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import yaml

from assistant.practices import build, perform
from assistant.practices.capture import capture
from assistant.practices.conversation import Conversation, StepOutcome
from assistant.practices.reader import FieldReader, Fields, suggest
from assistant.practices.steps import Capture, Chime, Choose, Listen, Pause, Rate, Say, Step, placeholders

S = TypeVar("S", bound=Step)
COMMON_KEYS = ("id", "when", "goto")


@dataclass(frozen=True)
class Gathered:
    """The names a practice's steps keep: all of them, and those that hold answers or ratings."""

    kept: set[str]
    answers: set[str]
    ratings: set[str]


@dataclass(frozen=True)
class StepKind(Generic[S]):
    """Everything Glimmer knows about one kind of step. Its YAML key is its name, its value the main field."""

    name: str
    type: type[S]
    keys: tuple[str, ...]  # the keys it takes besides its name and COMMON_KEYS
    build: Callable[[FieldReader, Fields, yaml.Node, dict[str, Any]], S]
    run: Callable[[Conversation, S], StepOutcome]  # carry it out: the id to jump to, an Ending, or None
    describe: Callable[[S], str]  # one line for `glimmer practices show`
    jumps: Callable[[S], tuple[str | None, ...]] = lambda step: ()  # ids it may jump to besides its goto
    falls_through: bool = True  # it may also go on as its goto says (else it always takes one of its jumps)
    listens: Callable[[S], bool] = lambda step: False  # whenever it runs it listens, so "stop" is heard
    gathers: str | None = None  # what its `keep` holds: "answer", "rating" or "choice"
    check: Callable[[S, Gathered], Iterator[str]] = lambda step, gathered: iter(())  # problems with names


def _listen_line(step: Listen) -> str:
    paths = [f"silence -> {step.on_silence}" if step.on_silence else "",
             f"nothing -> {step.on_nothing}" if step.on_nothing else ""]
    extra = "; ".join(p for p in paths if p)
    return f"listen: {step.text} -> keeps {step.keep}" + (f" ({extra})" if extra else "")


def _capture_line(step: Capture) -> str:
    senses = f" [{', '.join(step.senses)}]" if step.senses else ""
    check = (f", read back ({step.read_back_text}) with change it or undo" if step.correct else "") + \
        (f"; undo -> {step.on_undo}" if step.on_undo else "")
    return f"capture {step.value} into the journal{senses}{check}"


def _capture_names(step: Capture, gathered: Gathered) -> Iterator[str]:
    if step.value and step.value not in gathered.answers:
        yield f"capture '{step.value}': no listen step keeps it{suggest(step.value, gathered.answers)}"
    for rating in (step.calm_before, step.calm_after):
        if rating is not None and rating not in gathered.ratings:
            yield f"'{rating}' is not kept by any rate step"


def _choose_line(step: Choose) -> str:
    options = "; ".join(f"{o.label} -> {o.goto}" + (f" (if {o.when})" if o.when else "") for o in step.options)
    default = f"; otherwise -> {step.default}" if step.default else ""
    return f"choose: {step.text} [{options}{default}]"


STEP_KINDS: dict[str, StepKind[Any]] = {kind.name: kind for kind in (
    StepKind("say", Say, (), build.say, perform.say, lambda step: f"say: {step.text}"),
    StepKind("pause", Pause, ("announce",), build.pause, perform.pause,
             lambda step: f"pause {step.seconds:g} s" + (f" (announced: {step.announce})" if step.announce else ""),
             listens=lambda step: True),
    StepKind("listen", Listen, ("keep", "timeout", "reask", "on_silence", "on_nothing"), build.listen,
             perform.listen, _listen_line, jumps=lambda step: (step.on_silence, step.on_nothing),
             listens=lambda step: not placeholders(step.text), gathers="answer"),
    StepKind("capture", Capture, ("sense", "calm_before", "calm_after", "correct", "read_back", "on_undo"),
             build.capture, capture, _capture_line, jumps=lambda step: (step.on_undo,), check=_capture_names),
    StepKind("rate", Rate, ("keep", "timeout", "reask"), build.rate, perform.rate,
             lambda step: f"rate 0-10: {step.text} -> keeps {step.keep}",
             listens=lambda step: not placeholders(step.text), gathers="rating"),
    StepKind("choose", Choose, ("options", "default", "keep", "timeout"), build.choose, perform.choose,
             _choose_line, jumps=lambda step: (step.default, *(o.goto for o in step.options)), falls_through=False,
             listens=lambda step: not placeholders(step.text) and sum(1 for o in step.options if not o.when) >= 2,
             gathers="choice"),
    StepKind("chime", Chime, (), build.chime, perform.chime, lambda step: f"chime: {step.name}"),
)}
_BY_TYPE = {kind.type: kind for kind in STEP_KINDS.values()}


def kind_of(step: Step) -> StepKind[Any]:
    """The table entry for `step`."""
    return _BY_TYPE[type(step)]
