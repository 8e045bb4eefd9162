"""One setting's value from YAML: read as written, checked against its type, choices, range and form."""

import math
import os
import re
import types
import typing

import yaml

from assistant.errors import GlimmerError

_AS_WRITTEN = {f"tag:yaml.org,2002:{t}" for t in ("int", "float", "timestamp")}
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_VARIABLE = re.compile(r"\$(?:(\w+)|\{(\w+)\})")
PROMPT_CHARS = 200  # a prompt is a sentence; Whisper would keep only the last ~220 tokens of a longer one


def scalar(node: yaml.Node, where: str, text: bool):
    """The node's value; for a text setting, a number is kept as written (`22:00` is not 1320, `000` not 0)."""
    if not isinstance(node, yaml.ScalarNode):
        raise GlimmerError(f"{where}: expected a single value")
    if text and node.tag in _AS_WRITTEN:
        return node.value
    try:
        return yaml.SafeLoader("").construct_object(node)
    except Exception:  # noqa: BLE001 - any tag (!!python/name, !!timestamp xx) or impossible date fails its own way
        raise GlimmerError(f"{where}: {node.value or node.tag!r} cannot be read as a value; "
                           "write it plainly, without a '!!' tag") from None


def check_form(value, spec, where: str):
    """`value` checked and normalised for the field's form: non-blank text, a path, a time of day."""
    form = spec.metadata["form"]
    if not form or value is None:
        return value
    if form == "prompt":
        return _prompt(value, where)
    if not value.strip():
        raise GlimmerError(f"{where}: must not be empty ({spec.metadata['doc']}; the default is {spec.default!r})")
    if form == "clock":
        clock = _CLOCK.fullmatch(value.strip())
        if clock is None:
            raise GlimmerError(f"{where}: {value!r} is not a time like 22:00")
        return f"{int(clock[1]):02d}:{clock[2]}"
    if form == "path":
        return _VARIABLE.sub(lambda m: _variable(m[1] or m[2], where), value)
    return value


def _prompt(value: str, where: str) -> str | None:
    """A decoder prompt on one line; None when it is blank."""
    text = " ".join(value.split())
    if len(text) > PROMPT_CHARS:
        raise GlimmerError(f"{where}: {len(text)} characters; one sentence of at most {PROMPT_CHARS} will do")
    return text or None


def _variable(name: str, where: str) -> str:
    if name not in os.environ:
        raise GlimmerError(f"{where}: ${name} is not set in the environment; write the path out in full")
    return os.environ[name]


def check_value(value, hint, meta, where: str):
    """`value` if it fits type `hint` and the field's choices and range; else a GlimmerError."""
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None or value == "":
        if type(None) in allowed:
            return None
        if value == "" and str in allowed:
            return value
        raise GlimmerError(f"{where}: a value is required")
    original = value
    if isinstance(value, bool) and bool not in allowed:
        raise GlimmerError(f"{where}: {value!r} is not a {_type_words(allowed)}")
    if int in allowed and isinstance(value, int):
        pass
    elif float in allowed and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value)
    elif str in allowed and isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = str(value)
    elif not any(isinstance(value, t) for t in allowed if t is not type(None)):
        raise GlimmerError(f"{where}: {value!r} is not a {_type_words(allowed)}")
    if meta["choices"] and value not in meta["choices"]:
        raise GlimmerError(f"{where}: {value!r} is not one of {', '.join(meta['choices'])}")
    low, high = meta["low"], meta["high"]
    if isinstance(value, float) and not math.isfinite(value):
        raise GlimmerError(f"{where}: {original!r} is not a usable number; use one in {low:g} .. {high:g}"
                           if low is not None and high is not None else f"{where}: {original!r} is not a usable number")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if (low is not None and value < low) or (high is not None and value > high):
            raise GlimmerError(f"{where}: {original!r} is outside {low:g} .. {high:g}")
    return value


def _type_words(allowed: tuple) -> str:
    names = {bool: "true/false", int: "whole number", float: "number", str: "text"}
    return " or ".join(names[t] for t in allowed if t in names)
