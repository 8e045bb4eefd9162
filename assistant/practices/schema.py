"""Practice YAML → typed steps, with every problem reported as `file:line: message` before anything runs.

Only plain YAML is read: the document is composed into nodes with the safe loader and each scalar is built
by the safe constructor, so a tag such as `!!python/object/apply:os.system` is an error, never a call.
"""

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.errors import GlimmerError
from assistant.practices.graph import find_cycle
from assistant.speech.textprep import PAUSE_LIMITS_S, pause_problems

SENSES = ("sight", "sound", "touch", "smell", "taste", "body", "connection")
CHIMES = ("listening", "done", "saved", "error")
KINDS = ("say", "pause", "listen", "capture", "rate", "choose", "chime")
CONTEXT_NAMES = ("replay",)  # values the assistant may hand in: replay = a past glimmer's words
END = "end"  # jump target that ends the practice
DEFAULT_READ_BACK = "Thank you. I've kept your words: {{{name}}}."
MAX_BYTES = 256 * 1024
TIMESTAMP = "tag:yaml.org,2002:timestamp"  # an unquoted date: kept as the text written
SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")} | {TIMESTAMP}
_SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_BAD = object()  # a value already reported as an issue


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


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class PracticeError(GlimmerError):
    """A practice file that cannot be used; `issues` lists every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        more = f" (and {len(issues) - 1} more; run 'glimmer practices check')" if len(issues) > 1 else ""
        super().__init__(f"{issues[0]}{more}")


def load_practice(path: str | Path) -> Practice:
    """The practice in `path`, fully validated; raises PracticeError naming file and line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise PracticeError([Issue(str(path), 0, f"cannot read ({err.strerror})")]) from None
    if len(data) > MAX_BYTES:
        raise PracticeError([Issue(str(path), 0, f"larger than {MAX_BYTES // 1024} KB; not a practice")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PracticeError([Issue(str(path), 0, "not UTF-8 text")]) from None
    return parse_practice(text, str(path))


def parse_practice(text: str, file: str = "<practice>") -> Practice:
    """Validate YAML `text`; every problem is collected and raised together as a PracticeError."""
    checker = _Checker(file)
    practice = checker.practice(text)
    if checker.issues:
        raise PracticeError(sorted(checker.issues, key=lambda i: i.line))
    assert practice is not None
    return practice


def placeholders(text: str) -> list[str]:
    """Names used as {name} in `text`."""
    return _PLACEHOLDER.findall(text)


class _Checker:
    """Walks the node tree once, building steps and collecting issues."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []
        self._seen: set[int] = set()

    def error(self, node: yaml.Node | int, message: str) -> None:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.issues.append(Issue(self.file, line, message))

    # -- document -------------------------------------------------------------------------------------------
    def practice(self, text: str) -> Practice | None:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            self.error(mark.line + 1 if mark else 1, f"not valid YAML: {problem}")
            return None
        if root is None:
            self.error(1, "empty file; a practice needs name, title, description, minutes and steps")
            return None
        top = self.mapping(root, "the practice")
        if top is None:
            return None
        allowed = ("name", "title", "description", "minutes", "tags", "steps")
        self.unknown_keys(top, allowed, "practice field")
        name = self.text(top, "name", root, required=True)
        if name and not _SLUG.match(name):
            self.error(top["name"][1], f"name '{name}': use lowercase letters, digits, '-' or '_'")
        title = self.text(top, "title", root, required=True)
        description = self.text(top, "description", root, required=True)
        minutes = self.number(top, "minutes", root, low=0.5, high=30, required=True)
        tags = self.text_list(top, "tags")
        steps_node = top.get("steps", (None, None))[1]
        steps: list[Step] = []
        if steps_node is None:
            self.error(root, "missing 'steps': a list of steps")
        elif not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
            self.error(steps_node, "'steps' must be a non-empty list of steps")
        else:
            for item in steps_node.value:
                step = self.step(item)
                if step is not None:
                    steps.append(step)
            self.cross_check(steps)
            if not self.issues:
                self.silent_loops(steps)
        if self.issues:
            return None
        return Practice(name=name, title=title, description=description, minutes=minutes,
                        steps=tuple(steps), tags=tuple(tags), source=self.file)

    # -- steps ----------------------------------------------------------------------------------------------
    def step(self, node: yaml.Node) -> Step | None:
        fields_ = self.mapping(node, "a step")
        if fields_ is None:
            return None
        kinds = [k for k in fields_ if k in KINDS]
        if not kinds:
            unknown = [k for k in fields_ if k not in _COMMON and k not in _EXTRA_KEYS]
            what = f"unknown step type '{unknown[0]}'" if unknown else "a step needs a type"
            self.error(node, f"{what} (expected one of {', '.join(KINDS)})")
            return None
        if len(kinds) > 1:
            self.error(node, f"one step has two types ({' and '.join(kinds)}); split it into two steps")
            return None
        kind = kinds[0]
        self.unknown_keys(fields_, (kind, *_COMMON, *_KIND_KEYS[kind]), f"key for a '{kind}' step")
        common = {
            "line": node.start_mark.line + 1,
            "id": self.slug(fields_, "id"),
            "when": self.name(fields_, "when"),
            "goto": self.slug(fields_, "goto"),
        }
        if kind == "say":
            return Say(text=self.text(fields_, kind, node, required=True), **common)
        if kind == "pause":
            return Pause(seconds=self.number(fields_, kind, node, *PAUSE_LIMITS_S, required=True),
                         announce=self.text(fields_, "announce", node), **common)
        if kind == "listen":
            return Listen(text=self.text(fields_, kind, node, required=True),
                          keep=self.name(fields_, "keep", node, required=True),
                          timeout=self.number(fields_, "timeout", node, low=8, high=60) or 10.0,
                          reask=self.text(fields_, "reask", node),
                          on_silence=self.slug(fields_, "on_silence"),
                          on_nothing=self.slug(fields_, "on_nothing"), **common)
        if kind == "capture":
            value = self.name(fields_, kind, node, required=True)
            correct = self.flag(fields_, "correct", default=True)
            read_back = self.text(fields_, "read_back", node)
            if read_back and not correct:
                self.error(fields_["read_back"][0], "'read_back' is spoken only with correct: yes; remove one")
            elif read_back and value and f"{{{value}}}" not in read_back:
                self.error(fields_["read_back"][1], f"'read_back' reads the words back: put {{{value}}} in it")
            return Capture(value=value, senses=tuple(self.senses(fields_)),
                           calm_before=self.name(fields_, "calm_before"),
                           calm_after=self.name(fields_, "calm_after"), correct=correct, read_back=read_back,
                           on_undo=self.slug(fields_, "on_undo"), **common)
        if kind == "rate":
            text = self.text(fields_, kind, node, required=True)
            if text and not (re.search(r"\b(0|zero)\b", text) and re.search(r"\b(10|ten)\b", text)):
                self.error(fields_[kind][1], "a rating question says both ends of the scale (zero and ten)")
            return Rate(text=text, keep=self.name(fields_, "keep", node, required=True),
                        timeout=self.number(fields_, "timeout", node, low=8, high=60) or 10.0,
                        reask=self.text(fields_, "reask", node), **common)
        if kind == "choose":
            return Choose(text=self.text(fields_, kind, node, required=True),
                          options=tuple(self.options(fields_, node)),
                          default=self.slug(fields_, "default"), keep=self.name(fields_, "keep"),
                          timeout=self.number(fields_, "timeout", node, low=8, high=60) or 10.0, **common)
        name = self.text(fields_, kind, node, required=True)
        if name and name not in CHIMES:
            self.error(fields_[kind][1], f"unknown chime '{name}' (expected one of {', '.join(CHIMES)})")
        return Chime(name=name, **common)

    def options(self, fields_: dict, node: yaml.Node) -> list[Option]:
        if "options" not in fields_:
            self.error(node, "missing 'options' for 'choose': a list of 2 or 3 options")
            return []
        key, seq = fields_["options"]
        if not isinstance(seq, yaml.SequenceNode) or not 2 <= len(seq.value) <= 3:
            self.error(key, "'options' must be a list of 2 or 3 options (more are hard to hold in mind)")
            return []
        result = []
        for item in seq.value:
            opt = self.mapping(item, "an option")
            if opt is None:
                continue
            self.unknown_keys(opt, ("label", "goto", "match", "when"), "key for an option")
            label = self.text(opt, "label", item, required=True)
            goto = self.slug(opt, "goto", item, required=True)
            result.append(Option(label=label, goto=goto, match=tuple(self.text_list(opt, "match")),
                                 when=self.name(opt, "when"), line=item.start_mark.line + 1))
        return result

    def senses(self, fields_: dict) -> list[str]:
        if "sense" not in fields_:
            return []
        node = fields_["sense"][1]
        values = [self.scalar(node)] if isinstance(node, yaml.ScalarNode) else self.text_list(fields_, "sense")
        values = [v for v in values if v is not _BAD]
        for value in values:
            if value not in SENSES:
                self.error(node, f"unknown sense {value!r} (expected one of {', '.join(SENSES)})")
        return [v for v in values if v in SENSES]

    def cross_check(self, steps: list[Step]) -> None:
        """Ids unique, jumps land on real steps, names used are gathered somewhere."""
        ids: dict[str, int] = {}
        for step in steps:
            if step.id is None:
                continue
            if step.id == END:
                self.error(step.line, f"'{END}' is reserved for finishing; choose another id")
            elif step.id in ids:
                self.error(step.line, f"duplicate step id '{step.id}' (first used on line {ids[step.id]})")
            else:
                ids[step.id] = step.line
        kept = {s.keep for s in steps if isinstance(s, (Listen, Rate, Choose)) and s.keep} | set(CONTEXT_NAMES)
        answers = {s.keep for s in steps if isinstance(s, Listen) and s.keep}
        ratings = {s.keep for s in steps if isinstance(s, Rate) and s.keep}
        for step in steps:
            targets = [step.goto]
            if isinstance(step, Listen):
                targets += [step.on_silence, step.on_nothing]
            if isinstance(step, Choose):
                targets += [step.default, *(o.goto for o in step.options)]
            if isinstance(step, Capture):
                targets.append(step.on_undo)
            for target in targets:
                if target and target != END and target not in ids:
                    self.error(step.line, f"jump to unknown step '{target}'{_suggest(target, ids)}")
            names = [step.when, *(o.when for o in getattr(step, "options", ()))]
            for text in (getattr(step, "text", None), getattr(step, "reask", None), getattr(step, "announce", None),
                         getattr(step, "read_back", None)):
                if text:
                    names += self.placeholder_names(text, step.line)
                    for problem in pause_problems(text):
                        self.error(step.line, problem)
            for name in names:
                if name is not None and name not in kept:
                    self.error(step.line, f"'{name}' is not gathered by any step (keep: {name}){_suggest(name, kept)}")
            if isinstance(step, Capture):
                if step.value and step.value not in answers:
                    self.error(step.line,
                               f"capture '{step.value}': no listen step keeps it{_suggest(step.value, answers)}")
                for rating in (step.calm_before, step.calm_after):
                    if rating is not None and rating not in ratings:
                        self.error(step.line, f"'{rating}' is not kept by any rate step")

    def silent_loops(self, steps: list[Step]) -> None:
        """A loop must hold a moment that always listens, where "stop" is heard; else it runs for ever."""
        position = {s.id: i for i, s in enumerate(steps) if s.id} | {END: len(steps)}
        successors = [_successors(steps, i, position) for i in range(len(steps))]
        loop = find_cycle(successors, [not _always_listens(s) for s in steps])
        if loop is not None:
            lines = sorted(steps[i].line for i in loop)
            what = f"the steps on lines {', '.join(map(str, lines))} loop" if len(lines) > 1 else \
                f"the step on line {lines[0]} loops"
            self.error(lines[0], f"{what} with no listen, rate, choose or pause in between, so 'stop' could "
                                 "never be heard; add one or end the loop")

    def placeholder_names(self, text: str, line: int) -> list[str]:
        names = []
        for inner in placeholders(text):
            if _NAME.match(inner):
                names.append(inner)
            else:
                self.error(line, f"'{{{inner}}}' is not a placeholder; use {{name}} with a kept name")
        if re.sub(r"\{[^{}]*\}", "", text).count("{") or re.sub(r"\{[^{}]*\}", "", text).count("}"):
            self.error(line, "unbalanced '{' or '}' in text")
        return names

    # -- field readers --------------------------------------------------------------------------------------
    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not self.fresh(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of 'key: value' lines")
            return None
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if key is _BAD:
                continue
            if not isinstance(key, str):
                self.error(key_node, f"{key!r} is not a key name")
            elif key in result:
                self.error(key_node, f"duplicate key '{key}'")
            else:
                result[key] = (key_node, value_node)
        return result

    def fresh(self, node: yaml.Node) -> bool:
        """False (with an issue) for tags other than plain YAML and for re-used anchors."""
        if node.tag not in SAFE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.error(node, f"tag '{tag}' is not allowed: practices are plain YAML, nothing is ever constructed")
            return False
        if id(node) in self._seen:
            self.error(node, "anchors and aliases (&, *) are not supported; write the text out")
            return False
        self._seen.add(id(node))
        return True

    def scalar(self, node: yaml.Node):
        """The plain value of a scalar node, or _BAD (already reported)."""
        if not self.fresh(node):
            return _BAD
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, "expected a single value here, not a list or mapping")
            return _BAD
        if node.tag == TIMESTAMP:
            return node.value
        try:
            return yaml.SafeLoader("").construct_object(node)
        except Exception:  # noqa: BLE001 - an explicit tag on a value it cannot read (!!int x) fails its own way
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.error(node, f"{node.value!r} cannot be read as {tag}; write it plainly, without the tag")
            return _BAD

    def text(self, fields_: dict, key: str, parent: yaml.Node | None = None,
             required: bool = False) -> str | None:
        if key not in fields_:
            if required:
                self.error(parent, f"missing '{key}'")
            return "" if required else None
        node = fields_[key][1]
        value = self.scalar(node)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        if isinstance(value, (int, float)):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            if value is not _BAD:
                self.error(node, f"'{key}' needs some text")
            return ""
        return " ".join(value.split())

    def text_list(self, fields_: dict, key: str) -> list[str]:
        if key not in fields_:
            return []
        node = fields_[key][1]
        if not self.fresh(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{key}' must be a list, e.g. [{key}1, {key}2]")
            return []
        values = [self.scalar(item) for item in node.value]
        for item, value in zip(node.value, values, strict=True):
            if value is not _BAD and (not isinstance(value, str) or not value.strip()):
                self.error(item, f"'{key}' entries must be text")
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    def number(self, fields_: dict, key: str, parent: yaml.Node, low: float, high: float,
               required: bool = False) -> float | None:
        if key not in fields_:
            if required:
                self.error(parent, f"missing '{key}'")
            return None
        node = fields_[key][1]
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if value is not _BAD:
                self.error(node, f"'{key}' must be a number of {'minutes' if key == 'minutes' else 'seconds'}")
            return None
        if not low <= value <= high:
            self.error(node, f"'{key}' {value:g} is outside {low:g} .. {high:g}")
            return None
        return float(value)

    def flag(self, fields_: dict, key: str, default: bool) -> bool:
        if key not in fields_:
            return default
        node = fields_[key][1]
        value = self.scalar(node)
        if not isinstance(value, bool):
            if value is not _BAD:
                self.error(node, f"'{key}' must be yes or no")
            return default
        return value

    def slug(self, fields_: dict, key: str, parent: yaml.Node | None = None, required: bool = False) -> str | None:
        value = self.text(fields_, key, parent, required)
        if value and not _SLUG.match(value):
            self.error(fields_[key][1], f"'{key}' {value!r}: step ids use lowercase letters, digits, '-' or '_'")
        return value or None

    def name(self, fields_: dict, key: str, parent: yaml.Node | None = None, required: bool = False) -> str | None:
        value = self.text(fields_, key, parent, required)
        if value and not _NAME.match(value):
            self.error(fields_[key][1], f"'{key}' {value!r}: names use lowercase letters, digits and '_'")
        return value or None

    def unknown_keys(self, fields_: dict, allowed: tuple[str, ...], what: str) -> None:
        for key, (key_node, _) in fields_.items():
            if key not in allowed:
                self.error(key_node, f"unknown {what} '{key}'{_suggest(key, allowed)}")


_COMMON = ("id", "when", "goto")
_KIND_KEYS = {
    "say": (),
    "pause": ("announce",),
    "listen": ("keep", "timeout", "reask", "on_silence", "on_nothing"),
    "capture": ("sense", "calm_before", "calm_after", "correct", "read_back", "on_undo"),
    "rate": ("keep", "timeout", "reask"),
    "choose": ("options", "default", "keep", "timeout"),
    "chime": (),
}
_EXTRA_KEYS = {k for keys in _KIND_KEYS.values() for k in keys}


def _successors(steps: list[Step], index: int, position: dict[str, int]) -> set[int]:
    """Positions that can follow steps[index], as the runner moves: len(steps) is the end."""
    step = steps[index]
    outcomes: list[str | None] = [None]  # None: the step's own goto, else the next step
    if isinstance(step, Listen):
        outcomes += [step.on_silence, step.on_nothing]
    if isinstance(step, Choose):
        outcomes = [*(o.goto for o in step.options), step.default]
    if isinstance(step, Capture):
        outcomes.append(step.on_undo)
    following = {index + 1} if step.when else set()  # skipped when its value is missing
    for target in outcomes:
        target = target or step.goto
        following.add(position.get(target, len(steps)) if target else index + 1)
    return following


def _always_listens(step: Step) -> bool:
    """True for a step that listens whenever it is reached (no `when`, no placeholder that can leave it out)."""
    if step.when:
        return False
    if isinstance(step, Pause):
        return True
    if isinstance(step, (Listen, Rate)):
        return not placeholders(step.text)
    if isinstance(step, Choose):
        return not placeholders(step.text) and sum(1 for o in step.options if not o.when) >= 2
    return False


def _suggest(word: str, known) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
