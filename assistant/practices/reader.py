"""Reading a practice's YAML nodes into plain values, each problem collected as `file:line: message`.

Only plain YAML is read: each scalar is built by the safe constructor, so a tag such as
`!!python/object/apply:os.system` is an error, never a call.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from assistant.errors import GlimmerError
from assistant.practices.steps import placeholders

TIMESTAMP = "tag:yaml.org,2002:timestamp"  # an unquoted date: kept as the text written
SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")} | {TIMESTAMP}
SLUG = re.compile(r"^[a-z][a-z0-9_-]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
BAD = object()  # a value already reported as an issue

Fields = dict[str, tuple[yaml.Node, yaml.Node]]  # key -> (key node, value node) of one mapping


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


class FieldReader:
    """Reads values out of one file's node tree; every problem becomes an Issue in `issues`."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []
        self._seen: set[int] = set()

    def error(self, node: yaml.Node | int | None, message: str) -> None:
        """Record a problem at `node`'s line (or at line `node`)."""
        line = node if isinstance(node, int) else node.start_mark.line + 1 if node is not None else 0
        self.issues.append(Issue(self.file, line, message))

    def mapping(self, node: yaml.Node, what: str) -> Fields | None:
        """The keys of a mapping node; None (with an issue) for anything else."""
        if not self.fresh(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of 'key: value' lines")
            return None
        result: Fields = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if key is BAD:
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

    def scalar(self, node: yaml.Node) -> Any:
        """The plain value of a scalar node, or BAD (already reported)."""
        if not self.fresh(node):
            return BAD
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, "expected a single value here, not a list or mapping")
            return BAD
        if node.tag == TIMESTAMP:
            return node.value
        try:
            return yaml.SafeLoader("").construct_object(node)
        except Exception:  # noqa: BLE001 - an explicit tag on a value it cannot read (!!int x) fails its own way
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.error(node, f"{node.value!r} cannot be read as {tag}; write it plainly, without the tag")
            return BAD

    def text(self, fields_: Fields, key: str, parent: yaml.Node | None = None,
             required: bool = False) -> str | None:
        """The text under `key` with runs of white space made single; "" (required) or None when absent."""
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
            if value is not BAD:
                self.error(node, f"'{key}' needs some text")
            return ""
        return " ".join(value.split())

    def text_list(self, fields_: Fields, key: str) -> list[str]:
        """The texts listed under `key`; [] when absent."""
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
            if value is not BAD and (not isinstance(value, str) or not value.strip()):
                self.error(item, f"'{key}' entries must be text")
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    def number(self, fields_: Fields, key: str, parent: yaml.Node, low: float, high: float,
               required: bool = False) -> float | None:
        """The number under `key`, within low .. high; None when absent or wrong."""
        if key not in fields_:
            if required:
                self.error(parent, f"missing '{key}'")
            return None
        node = fields_[key][1]
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if value is not BAD:
                self.error(node, f"'{key}' must be a number of {'minutes' if key == 'minutes' else 'seconds'}")
            return None
        if not low <= value <= high:
            self.error(node, f"'{key}' {value:g} is outside {low:g} .. {high:g}")
            return None
        return float(value)

    def flag(self, fields_: Fields, key: str, default: bool) -> bool:
        """The yes/no under `key`; `default` when absent or wrong."""
        if key not in fields_:
            return default
        node = fields_[key][1]
        value = self.scalar(node)
        if not isinstance(value, bool):
            if value is not BAD:
                self.error(node, f"'{key}' must be yes or no")
            return default
        return value

    def slug(self, fields_: Fields, key: str, parent: yaml.Node | None = None, required: bool = False) -> str | None:
        """A step id under `key` (lowercase letters, digits, '-' or '_')."""
        value = self.text(fields_, key, parent, required)
        if value and not SLUG.match(value):
            self.error(fields_[key][1], f"'{key}' {value!r}: step ids use lowercase letters, digits, '-' or '_'")
        return value or None

    def name(self, fields_: Fields, key: str, parent: yaml.Node | None = None, required: bool = False) -> str | None:
        """A value's name under `key` (lowercase letters, digits and '_')."""
        value = self.text(fields_, key, parent, required)
        if value and not _NAME.match(value):
            self.error(fields_[key][1], f"'{key}' {value!r}: names use lowercase letters, digits and '_'")
        return value or None

    def unknown_keys(self, fields_: Fields, allowed: tuple[str, ...], what: str) -> None:
        """An issue for each key not in `allowed`, with the closest allowed one suggested."""
        for key, (key_node, _) in fields_.items():
            if key not in allowed:
                self.error(key_node, f"unknown {what} '{key}'{suggest(key, allowed)}")

    def placeholder_names(self, text: str, line: int) -> list[str]:
        """The names `text` uses as {name}; an issue for each {...} that is not one, and for a stray brace."""
        names = []
        for inner in placeholders(text):
            if _NAME.match(inner):
                names.append(inner)
            else:
                self.error(line, f"'{{{inner}}}' is not a placeholder; use {{name}} with a kept name")
        if re.sub(r"\{[^{}]*\}", "", text).count("{") or re.sub(r"\{[^{}]*\}", "", text).count("}"):
            self.error(line, "unbalanced '{' or '}' in text")
        return names


def suggest(word: str, known: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest of `known`, or ""."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
