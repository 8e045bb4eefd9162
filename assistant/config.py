"""config.yaml → frozen, typed settings; every mistake is reported as `file:line: key: problem`."""

import difflib
import math
import os
import re
import types
import typing
from typing import Any
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from assistant.errors import GlimmerError


def _opt(default, doc: str, choices: tuple = (), low: float | None = None, high: float | None = None,
         form: str = ""):
    """A settings field with its documentation and allowed values; `form` is "text" (never blank), "path"
    (never blank; `~` and `$VARS` expanded) or "clock" (a time of day, HH:MM)."""
    return field(default=default, metadata={"doc": doc, "choices": choices, "low": low, "high": high, "form": form})


@dataclass(frozen=True)
class AudioSettings:
    """Sound devices: by name substring (stable across reboots) or index; empty = system default."""

    input_device: str | int | None = _opt(None, "microphone name substring or index")
    output_device: str | int | None = _opt(None, "speaker name substring or index")
    input_rate: int | None = _opt(None, "capture rate; empty = the device's native rate", low=8000, high=192000)


@dataclass(frozen=True)
class WakeSettings:
    """The wake phrase and how readily it fires."""

    phrase: str = _opt("hey glimmer", "the wake phrase the detector was trained for", form="text")
    sensitivity: float = _opt(0.5, "0 = hardest to wake, 1 = easiest", low=0.0, high=1.0)
    refractory_s: float = _opt(2.0, "seconds after a detection in which no other fires", low=0.0, high=30.0)
    mute_tail_s: float = _opt(0.4, "seconds the wake path stays muted after playback ends", low=0.0, high=5.0)


@dataclass(frozen=True)
class SttSettings:
    """Speech to text."""

    engine: str = _opt("auto", "transcriber", choices=("auto", "whisper", "vosk", "pocketsphinx"))
    model_path: str | None = _opt(None, "model folder for the engine; empty = the embedded or models/ one",
                                  form="path")
    beam_size: int = _opt(5, "whisper beam size (1 = fastest; 5: fewer errors for ~25% more CPU)", low=1, high=10)
    threads: int = _opt(1, "CPU threads for recognition", low=1, high=16)


@dataclass(frozen=True)
class ListenSettings:
    """When an utterance starts and ends."""

    command_silence_s: float = _opt(0.8, "silence that ends a short command", low=0.2, high=5.0)
    answer_silence_s: float = _opt(2.2, "silence that ends a glimmer or an answer", low=0.5, high=10.0)
    answer_timeout_s: float = _opt(10.0, "how long to wait for an answer to start", low=2.0, high=120.0)
    max_utterance_s: float = _opt(45.0, "longest utterance kept", low=5.0, high=300.0)
    preroll_s: float = _opt(0.5, "audio kept from before speech starts", low=0.0, high=3.0)
    vad_aggressiveness: int = _opt(2, "voice activity filter, 0 = lenient .. 3 = strict", low=0, high=3)


@dataclass(frozen=True)
class TtsSettings:
    """The voice."""

    engine: str = _opt("auto", "voice engine", choices=("auto", "hibari", "pyttsx3"))
    voice: str = _opt("", "voice name; empty = the engine's default (hibari: heart)")
    speed: float = _opt(0.8, "speaking speed (1.0 = the engine's normal pace)", low=0.5, high=1.5)
    volume: float = _opt(0.8, "0.0 .. 1.0", low=0.0, high=1.0)
    sentence_pause_s: float = _opt(0.8, "shortest silence between sentences", low=0.0, high=3.0)
    max_sentence_pause_s: float = _opt(1.5, "longest automatic silence between sentences", low=0.0, high=5.0)
    target_wpm: float = _opt(130.0, "calm pace over a prompt, pauses included (words/min)", low=90.0, high=200.0)
    pyttsx3_rate: float = _opt(160.0, "espeak-ng speaking rate for the pyttsx3 engine (its words/min)",
                               low=80.0, high=300.0)


@dataclass(frozen=True)
class NightSettings:
    """Quieter and slower between night hours."""

    enabled: bool = _opt(True, "use night mode")
    start: str = _opt("22:00", "night starts (HH:MM, local time)", form="clock")
    end: str = _opt("07:00", "night ends (HH:MM, local time)", form="clock")
    volume: float = _opt(0.5, "volume factor at night", low=0.0, high=1.0)
    speed: float = _opt(0.9, "speed factor at night", low=0.5, high=1.0)
    earcons: str = _opt("soft", "earcons at night", choices=("on", "soft", "off"))


@dataclass(frozen=True)
class JournalSettings:
    """Where glimmers are kept."""

    path: str = _opt("~/.local/share/glimmer/journal.db", "the journal database (private: 0600 in a 0700 folder)",
                     form="path")
    keep_audio: bool = _opt(False, "also keep the audio of each spoken glimmer beside the journal")


@dataclass(frozen=True)
class PracticesSettings:
    """Guided practices."""

    folder: str = _opt("~/.config/glimmer/practices", "your own practice YAML files, loaded beside the built-ins",
                       form="path")


@dataclass(frozen=True)
class SafetySettings:
    """What is said when someone is in distress."""

    crisis_line: str = _opt("988, the Suicide and Crisis Lifeline, by call or text",
                            "the crisis line spoken in a distress response; set your own country's", form="text")
    emergency_number: str = _opt("911", "emergency services number for immediate danger", form="text")


@dataclass(frozen=True)
class Settings:
    """Everything config.yaml can set."""

    audio: AudioSettings = field(default_factory=AudioSettings)
    wake: WakeSettings = field(default_factory=WakeSettings)
    stt: SttSettings = field(default_factory=SttSettings)
    listen: ListenSettings = field(default_factory=ListenSettings)
    tts: TtsSettings = field(default_factory=TtsSettings)
    night: NightSettings = field(default_factory=NightSettings)
    journal: JournalSettings = field(default_factory=JournalSettings)
    practices: PracticesSettings = field(default_factory=PracticesSettings)
    safety: SafetySettings = field(default_factory=SafetySettings)


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
    known: dict[str, Any] = {f.name: f.default_factory for f in fields(Settings)}
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
        value = _check_value(_scalar(value_node, where, hints[key] is str), hints[key], specs[key].metadata, where)
        values[key] = _check_form(value, specs[key], where)
    return cls(**values)


def _scalar(node: yaml.Node, where: str, text: bool):
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


_AS_WRITTEN = {f"tag:yaml.org,2002:{t}" for t in ("int", "float", "timestamp")}
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_VARIABLE = re.compile(r"\$(?:(\w+)|\{(\w+)\})")


def _check_form(value, spec, where: str):
    """`value` checked and normalised for the field's form: non-blank text, a path, a time of day."""
    form = spec.metadata["form"]
    if not form or value is None:
        return value
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


def _variable(name: str, where: str) -> str:
    if name not in os.environ:
        raise GlimmerError(f"{where}: ${name} is not set in the environment; write the path out in full")
    return os.environ[name]


def _check_value(value, hint, meta, where: str):
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
