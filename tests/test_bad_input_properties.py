"""Property tests: damaged practice files and config files (the real built-ins and config.yaml with keys,
values, types and indentation changed, or random bytes) only ever give one-line errors, never a traceback
or a hang, in-process and through the `glimmer` command."""

import math
import tempfile
import typing
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.config import Settings, load_settings
from assistant.errors import GlimmerError
from assistant.practices.kinds import STEP_KINDS
from assistant.practices.library import BUILTIN_DIR, practice_files
from assistant.practices.schema import PracticeError, load_practice, parse_practice
from assistant.safety import support_message
from assistant.speech.night import NightMode

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
PRACTICES = [p.read_text() for p in practice_files(BUILTIN_DIR)]
CONFIG = REPO_CONFIG.read_text()

ODD_VALUES = ["", "~", "null", ".nan", ".inf", "-.inf", "1e999", "-1", "0", "22:00", "25:61", "000", "0x1F", "yes",
              "no", "[1, 2]", "{a: 1}", '"', "'", "[", "{", "&a x", "*a", "!!python/name:os.system",
              "!!python/object/apply:os.system [id]", "!!binary aGk=", "!!timestamp x", "!!int x", "2024-13-45",
              "$NOPE_GLIMMER/x", "${HOME}/x", "[pause 100000]", "Hi [pause 0.1] there", "{x}", "end", "|", ">-",
              "? a", "- a", "\t", "\x00", "\ufeff", "a: b: c", "%YAML 1.1", "---", "..."]
PRACTICE_KEYS = ["name", "title", "description", "minutes", "tags", "steps", "id", "when", "goto", "label",
                 "match", "options", *STEP_KINDS, *(k for kind in STEP_KINDS.values() for k in kind.keys)]
CONFIG_KEYS = [f.name for f in fields(Settings)] + [s.name for section in fields(Settings)
                                                      for s in fields(section.default_factory)]
PROPERTY = settings(max_examples=250, deadline=2000, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@st.composite
def damaged(draw, sources: list[str], keys: list[str]) -> str:
    """One of `sources` with one to five lines deleted, repeated, re-indented, re-keyed, re-valued or spliced."""
    lines = draw(st.sampled_from(sources)).split("\n")
    for _ in range(draw(st.integers(1, 5))):
        k = draw(st.integers(0, len(lines) - 1))
        key, colon, value = lines[k].partition(":")
        indent = key[:len(key) - len(key.lstrip(" -"))]
        action = draw(st.sampled_from(["delete", "repeat", "indent", "key", "value", "splice"]))
        if action == "delete" and len(lines) > 1:
            del lines[k]
        elif action == "repeat":
            lines.insert(k, lines[draw(st.integers(0, len(lines) - 1))])
        elif action == "indent":
            lines[k] = " " * draw(st.integers(0, 9)) + lines[k].lstrip(" ")
        elif action == "key":
            lines[k] = indent + draw(st.sampled_from(keys) | st.text(max_size=8)) + ":" + (value if colon else "")
        elif action == "value" and colon:
            lines[k] = f"{key}: {draw(st.sampled_from(ODD_VALUES) | st.text(max_size=12))}"
        else:
            cut = draw(st.integers(0, len(lines[k])))
            lines[k] = lines[k][:cut] + draw(st.sampled_from(ODD_VALUES) | st.text(max_size=6)) + lines[k][cut:]
    return "\n".join(lines)


def one_line(err: Exception) -> str:
    text = str(err)
    assert text and "\n" not in text and "Traceback" not in text, repr(text)
    return text


@pytest.fixture(scope="module")
def folder():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@PROPERTY
@given(text=damaged(PRACTICES, PRACTICE_KEYS))
def test_a_damaged_practice_is_ok_or_file_line_issues(text):
    try:
        practice = parse_practice(text, "m.yaml")
    except PracticeError as err:
        assert err.issues and all(str(i).startswith("m.yaml") for i in err.issues)
        for issue in err.issues:
            one_line(issue)
        one_line(err)
    else:
        assert practice.steps and practice.name


@PROPERTY
@given(data=st.binary(max_size=2000) | damaged(PRACTICES, PRACTICE_KEYS).map(lambda t: t.encode("utf-8", "replace")))
def test_random_bytes_as_a_practice_file_are_one_line_errors(folder, data):
    path = folder / "bytes.yaml"
    path.write_bytes(data)
    try:
        load_practice(path)
    except PracticeError as err:
        assert all(str(i).startswith(str(path)) for i in err.issues)
        one_line(err)


@PROPERTY
@given(data=damaged([CONFIG], CONFIG_KEYS).map(lambda t: t.encode("utf-8", "replace")) | st.binary(max_size=2000))
def test_a_damaged_config_loads_into_usable_settings_or_is_one_line(folder, data):
    path = folder / "config.yaml"
    path.write_bytes(data)
    try:
        loaded = load_settings(path)
    except GlimmerError as err:
        assert one_line(err).startswith(str(path))
        return
    NightMode(loaded.night)     # the hours are real times of day
    assert "at ," not in " ".join(support_message(loaded.safety))
    for section in fields(Settings):
        values = getattr(loaded, section.name)
        for setting in fields(values):
            value = getattr(values, setting.name)
            if typing.get_type_hints(type(values))[setting.name] is float:
                assert math.isfinite(value), (section.name, setting.name, value)


@settings(max_examples=4, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(practices=st.lists(damaged(PRACTICES, PRACTICE_KEYS), min_size=8, max_size=8),
       junk=st.binary(max_size=500), config=damaged([CONFIG], CONFIG_KEYS))
def test_the_command_gives_one_line_per_problem_and_no_traceback(glimmer, tmp_path, practices, junk, config):
    for number, text in enumerate(practices):
        (tmp_path / f"p{number}.yaml").write_text(text, encoding="utf-8", errors="replace")
    (tmp_path / "junk.yaml").write_bytes(junk)
    result = glimmer("practices", "check", *(f"p{n}.yaml" for n in range(8)), "junk.yaml", timeout=60)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    assert all(line.startswith(("p", "junk.yaml", "glimmer: ")) for line in result.stderr.splitlines()), result.stderr
    (tmp_path / "c.yaml").write_text(config, encoding="utf-8", errors="replace")
    result = glimmer("--config", "c.yaml", "practices", "list", timeout=60)
    assert "Traceback" not in result.stderr
    if result.returncode:
        assert result.returncode == 1 and result.stderr.startswith("glimmer: c.yaml")
        assert result.stderr.count("\n") == 1, result.stderr
