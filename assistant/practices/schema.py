"""Practice YAML → typed steps, with every problem reported as `file:line: message` before anything runs.

The document is composed into nodes with the safe loader and read by a FieldReader (reader.py); each step
is built by its kind's builder (kinds.py), then the steps are checked together (checks.py).
"""

from pathlib import Path

import yaml

from assistant.practices.checks import cross_check, silent_loops
from assistant.practices.kinds import COMMON_KEYS, STEP_KINDS
from assistant.practices.reader import SLUG, FieldReader, Issue, PracticeError
from assistant.practices.steps import Practice, Step

MAX_BYTES = 256 * 1024
_KIND_KEYS = {key for kind in STEP_KINDS.values() for key in kind.keys}


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
    reader = FieldReader(file)
    practice = _practice(reader, text)
    if reader.issues:
        raise PracticeError(sorted(reader.issues, key=lambda i: i.line))
    assert practice is not None
    return practice


def _practice(r: FieldReader, text: str) -> Practice | None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        r.error(mark.line + 1 if mark else 1, f"not valid YAML: {problem}")
        return None
    if root is None:
        r.error(1, "empty file; a practice needs name, title, description, minutes and steps")
        return None
    top = r.mapping(root, "the practice")
    if top is None:
        return None
    r.unknown_keys(top, ("name", "title", "description", "minutes", "tags", "steps"), "practice field")
    name = r.text(top, "name", root, required=True) or ""
    if name and not SLUG.match(name):
        r.error(top["name"][1], f"name '{name}': use lowercase letters, digits, '-' or '_'")
    title = r.text(top, "title", root, required=True) or ""
    description = r.text(top, "description", root, required=True) or ""
    minutes = r.number(top, "minutes", root, low=0.5, high=30, required=True) or 0.0
    tags = r.text_list(top, "tags")
    steps_node = top.get("steps", (None, None))[1]
    steps: list[Step] = []
    if steps_node is None:
        r.error(root, "missing 'steps': a list of steps")
    elif not isinstance(steps_node, yaml.SequenceNode) or not steps_node.value:
        r.error(steps_node, "'steps' must be a non-empty list of steps")
    else:
        steps = [step for node in steps_node.value if (step := _step(r, node)) is not None]
        cross_check(r, steps)
        if not r.issues:
            silent_loops(r, steps)
    if r.issues:
        return None
    return Practice(name=name, title=title, description=description, minutes=minutes,
                    steps=tuple(steps), tags=tuple(tags), source=r.file)


def _step(r: FieldReader, node: yaml.Node) -> Step | None:
    fields_ = r.mapping(node, "a step")
    if fields_ is None:
        return None
    kinds = [k for k in fields_ if k in STEP_KINDS]
    if not kinds:
        unknown = [k for k in fields_ if k not in COMMON_KEYS and k not in _KIND_KEYS]
        what = f"unknown step type '{unknown[0]}'" if unknown else "a step needs a type"
        r.error(node, f"{what} (expected one of {', '.join(STEP_KINDS)})")
        return None
    if len(kinds) > 1:
        r.error(node, f"one step has two types ({' and '.join(kinds)}); split it into two steps")
        return None
    kind = STEP_KINDS[kinds[0]]
    r.unknown_keys(fields_, (kind.name, *COMMON_KEYS, *kind.keys), f"key for a '{kind.name}' step")
    common = {
        "line": node.start_mark.line + 1,
        "id": r.slug(fields_, "id"),
        "when": r.name(fields_, "when"),
        "goto": r.slug(fields_, "goto"),
    }
    return kind.build(r, fields_, node, common)
