"""Each step kind's builder: its YAML fields, read and checked, into its typed step.

A builder gets the reader, the step's fields and node, and `common` (line, id, when, goto) already read.
Fields are read in a fixed order, so the issues of one line are always reported in the same order.
"""

import re
from typing import Any

import yaml

from assistant.practices.reader import BAD, FieldReader, Fields
from assistant.practices.steps import CHIMES, SENSES, Capture, Chime, Choose, Listen, Option, Pause, Rate, Say
from assistant.speech.textprep import PAUSE_LIMITS_S


def say(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Say:
    return Say(text=r.text(fields_, "say", node, required=True) or "", **common)


def pause(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Pause:
    return Pause(seconds=r.number(fields_, "pause", node, *PAUSE_LIMITS_S, required=True) or 0.0,
                 announce=r.text(fields_, "announce", node), **common)


def listen(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Listen:
    return Listen(text=r.text(fields_, "listen", node, required=True) or "",
                  keep=r.name(fields_, "keep", node, required=True) or "",
                  timeout=_timeout(r, fields_, node),
                  reask=r.text(fields_, "reask", node),
                  on_silence=r.slug(fields_, "on_silence"),
                  on_nothing=r.slug(fields_, "on_nothing"), **common)


def capture(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Capture:
    value = r.name(fields_, "capture", node, required=True) or ""
    correct = r.flag(fields_, "correct", default=True)
    read_back = r.text(fields_, "read_back", node)
    if read_back and not correct:
        r.error(fields_["read_back"][0], "'read_back' is spoken only with correct: yes; remove one")
    elif read_back and value and f"{{{value}}}" not in read_back:
        r.error(fields_["read_back"][1], f"'read_back' reads the words back: put {{{value}}} in it")
    return Capture(value=value, senses=tuple(_senses(r, fields_)),
                   calm_before=r.name(fields_, "calm_before"),
                   calm_after=r.name(fields_, "calm_after"), correct=correct, read_back=read_back,
                   on_undo=r.slug(fields_, "on_undo"), **common)


def rate(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Rate:
    text = r.text(fields_, "rate", node, required=True) or ""
    if text and not (re.search(r"\b(0|zero)\b", text) and re.search(r"\b(10|ten)\b", text)):
        r.error(fields_["rate"][1], "a rating question says both ends of the scale (zero and ten)")
    return Rate(text=text, keep=r.name(fields_, "keep", node, required=True) or "",
                timeout=_timeout(r, fields_, node), reask=r.text(fields_, "reask", node), **common)


def choose(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Choose:
    return Choose(text=r.text(fields_, "choose", node, required=True) or "",
                  options=tuple(_options(r, fields_, node)),
                  default=r.slug(fields_, "default"), keep=r.name(fields_, "keep"),
                  timeout=_timeout(r, fields_, node), **common)


def chime(r: FieldReader, fields_: Fields, node: yaml.Node, common: dict[str, Any]) -> Chime:
    name = r.text(fields_, "chime", node, required=True) or ""
    if name and name not in CHIMES:
        r.error(fields_["chime"][1], f"unknown chime '{name}' (expected one of {', '.join(CHIMES)})")
    return Chime(name=name, **common)


def _timeout(r: FieldReader, fields_: Fields, node: yaml.Node) -> float:
    return r.number(fields_, "timeout", node, low=8, high=60) or 10.0


def _options(r: FieldReader, fields_: Fields, node: yaml.Node) -> list[Option]:
    if "options" not in fields_:
        r.error(node, "missing 'options' for 'choose': a list of 2 or 3 options")
        return []
    key, seq = fields_["options"]
    if not isinstance(seq, yaml.SequenceNode) or not 2 <= len(seq.value) <= 3:
        r.error(key, "'options' must be a list of 2 or 3 options (more are hard to hold in mind)")
        return []
    result = []
    for item in seq.value:
        opt = r.mapping(item, "an option")
        if opt is None:
            continue
        r.unknown_keys(opt, ("label", "goto", "match", "when"), "key for an option")
        label = r.text(opt, "label", item, required=True) or ""
        goto = r.slug(opt, "goto", item, required=True) or ""
        result.append(Option(label=label, goto=goto, match=tuple(r.text_list(opt, "match")),
                             when=r.name(opt, "when"), line=item.start_mark.line + 1))
    return result


def _senses(r: FieldReader, fields_: Fields) -> list[str]:
    if "sense" not in fields_:
        return []
    node = fields_["sense"][1]
    values = [r.scalar(node)] if isinstance(node, yaml.ScalarNode) else r.text_list(fields_, "sense")
    values = [v for v in values if v is not BAD]
    for value in values:
        if value not in SENSES:
            r.error(node, f"unknown sense {value!r} (expected one of {', '.join(SENSES)})")
    return [v for v in values if v in SENSES]
