"""A practice as typed steps: what each kind of step holds once its YAML has been read and checked."""

import re
from dataclasses import dataclass

SENSES = ("sight", "sound", "touch", "smell", "taste", "body", "connection")
CHIMES = ("listening", "done", "saved", "error")
CONTEXT_NAMES = ("replay",)  # values the assistant may hand in: replay = a past glimmer's words
END = "end"  # jump target that ends the practice
DEFAULT_READ_BACK = "Thank you. I've kept your words: {{{name}}}."
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, kw_only=True)
class Step:
    """What every step has: its line in the file, an optional id, a condition and a jump."""

    line: int
    id: str | None = None
    when: str | None = None  # run only if this gathered value is present
    goto: str | None = None  # next step after this one (END finishes)


@dataclass(frozen=True, kw_only=True)
class Say(Step):
    text: str  # may hold {name} placeholders; skipped when one has no value


@dataclass(frozen=True, kw_only=True)
class Pause(Step):
    seconds: float
    announce: str | None = None  # spoken before a silence over 10 s; a plain default otherwise


@dataclass(frozen=True, kw_only=True)
class Listen(Step):
    text: str
    keep: str
    timeout: float = 10.0
    reask: str | None = None  # the one softer re-ask after silence
    on_silence: str | None = None
    on_nothing: str | None = None  # "nothing", "I don't know", "skip"


@dataclass(frozen=True, kw_only=True)
class Capture(Step):
    value: str  # name of a listened answer, saved verbatim
    senses: tuple[str, ...] = ()
    calm_before: str | None = None
    calm_after: str | None = None
    correct: bool = True  # read the words back and offer "change it" or "undo"
    read_back: str | None = None  # the read-back line; DEFAULT_READ_BACK when None
    on_undo: str | None = None  # where to go after "undo"; else on as after a capture

    @property
    def read_back_text(self) -> str:
        """The read-back line to speak, with {value} for the words kept."""
        return self.read_back or DEFAULT_READ_BACK.format(name=self.value)


@dataclass(frozen=True, kw_only=True)
class Rate(Step):
    text: str
    keep: str
    timeout: float = 10.0
    reask: str | None = None


@dataclass(frozen=True)
class Option:
    label: str
    goto: str
    match: tuple[str, ...] = ()
    when: str | None = None
    line: int = 0


@dataclass(frozen=True, kw_only=True)
class Choose(Step):
    text: str
    options: tuple[Option, ...]
    default: str | None = None  # on silence, skip or an unclear answer; else the next step
    keep: str | None = None
    timeout: float = 10.0


@dataclass(frozen=True, kw_only=True)
class Chime(Step):
    name: str


@dataclass(frozen=True)
class Practice:
    name: str
    title: str
    description: str
    minutes: float
    steps: tuple[Step, ...]
    tags: tuple[str, ...] = ()
    source: str = ""

    def index(self, step_id: str) -> int:
        """Position of the step with this id."""
        return next(i for i, s in enumerate(self.steps) if s.id == step_id)


def placeholders(text: str) -> list[str]:
    """Names used as {name} in `text`."""
    return _PLACEHOLDER.findall(text)
