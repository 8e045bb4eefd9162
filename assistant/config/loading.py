"""Finding and reading config.yaml: sections and keys by name, paths resolved against the file's folder."""

import difflib
import os
import typing
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import yaml

from assistant.config.sections import Settings
from assistant.config.values import check_form, check_value, scalar
from assistant.errors import GlimmerError


def default_config_path() -> Path | None:
    """The config used without --config: ./config.yaml, else ~/.config/glimmer/config.yaml, else none."""
    for candidate in (Path("config.yaml"), Path.home() / ".config" / "glimmer" / "config.yaml"):
        if candidate.is_file():
            return candidate
    return None


def load_settings(path: str | Path | None = None, journal: str | None = None) -> Settings:
    """Settings from `path` (or the default location, or built-in defaults), with a --journal override."""
    config_path = Path(path) if path is not None else default_config_path()
    settings = Settings() if config_path is None else _parse_file(config_path)
    base = config_path.parent if config_path is not None else Path.cwd()
    settings = _with_paths_resolved(settings, base)
    if journal:
        settings = replace(settings, journal=replace(settings.journal, path=str(expand_path(journal, Path.cwd()))))
    return settings


def expand_path(value: str, base: Path | None = None) -> Path:
    """A path from config: `~` expanded; relative paths are relative to `base` (the config's folder)."""
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() or base is None else base / path


def _parse_file(path: Path) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise GlimmerError(f"{path}: cannot read config ({err.strerror})") from None
    except UnicodeDecodeError:
        raise GlimmerError(f"{path}: not a text file; point --config at a config.yaml") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        if mark is not None:
            where = f"{path}:{mark.line + 1}"
        elif isinstance(err, yaml.reader.ReaderError):       # a character YAML does not allow
            where = f"{path}:{text.count(chr(10), 0, err.position) + 1}"
        else:
            where = str(path)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise GlimmerError(f"{where}: not valid YAML: {problem}") from None
    if root is None:
        return Settings()
    if not isinstance(root, yaml.MappingNode):
        raise GlimmerError(f"{path}:{root.start_mark.line + 1}: the config must be a mapping of sections")
    sections: dict[str, Any] = {}
    for key_node, value_node in root.value:
        name = _key(key_node, f"{path}:{key_node.start_mark.line + 1}", sections, "section")
        cls = _section_class(name, path, key_node)
        sections[name] = _parse_section(cls, name, value_node, path)
    return Settings(**sections)


def _key(node: yaml.Node, where: str, seen: dict, what: str) -> str:
    """The name in a key node; a list, a mapping or a repeated name is an error."""
    if not isinstance(node, yaml.ScalarNode):
        raise GlimmerError(f"{where}: expected a {what} name before the ':'")
    if node.value in seen:
        raise GlimmerError(f"{where}: {node.value}: this {what} is set twice; keep one")
    return node.value


def _section_class(name: str, path: Path, node: yaml.Node) -> type:
    known: dict[str, type] = {f.name: f.default_factory for f in fields(Settings)}  # type: ignore[misc]
    if name not in known:
        raise GlimmerError(f"{path}:{node.start_mark.line + 1}: {name}: unknown section{_did_you_mean(name, known)}")
    return known[name]


def _parse_section(cls: type, section: str, node: yaml.Node, path: Path):
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return cls()
    if not isinstance(node, yaml.MappingNode):
        raise GlimmerError(f"{path}:{node.start_mark.line + 1}: {section}: expected a mapping of settings")
    specs = {f.name: f for f in fields(cls)}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = _key(key_node, f"{path}:{key_node.start_mark.line + 1}: {section}", values, "setting")
        where = f"{path}:{key_node.start_mark.line + 1}: {section}.{key}"
        if key not in specs:
            raise GlimmerError(f"{where}: unknown setting{_did_you_mean(key, specs)}")
        value = check_value(scalar(value_node, where, hints[key] is str), hints[key], specs[key].metadata, where)
        values[key] = check_form(value, specs[key], where)
    return cls(**values)


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else f" (expected one of {', '.join(known)})"


def _with_paths_resolved(settings: Settings, base: Path) -> Settings:
    """Relative paths in a config file are relative to that file's folder."""
    stt = settings.stt
    if stt.model_path:
        stt = replace(stt, model_path=str(expand_path(stt.model_path, base)))
    return replace(
        settings,
        stt=stt,
        journal=replace(settings.journal, path=str(expand_path(settings.journal.path, base))),
        practices=replace(settings.practices, folder=str(expand_path(settings.practices.folder, base))),
    )
