"""config.yaml: the shipped file is complete and valid; mistakes name the file, the line and the key."""

import typing
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from assistant.config import Settings, load_settings
from assistant.errors import GlimmerError

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"


def test_shipped_config_sets_every_setting_with_a_comment():
    data = yaml.safe_load(REPO_CONFIG.read_text())
    for section in fields(Settings):
        for setting in fields(section.default_factory):
            assert setting.name in data[section.name], f"config.yaml lacks {section.name}.{setting.name}"
    lines = REPO_CONFIG.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.startswith("  ") and not line.strip().startswith("#") and number > 0:
            block_above = [text.strip() for text in lines[max(0, number - 6):number]]
            assert any(text.startswith("#") for text in block_above), f"line {number + 1} has no comment near it"


def test_shipped_config_equals_the_defaults(tmp_path, monkeypatch):
    loaded = load_settings(REPO_CONFIG)
    monkeypatch.chdir(tmp_path)
    defaults = load_settings(None)  # no config.yaml here, none in ~/.config: built-in defaults
    assert loaded == defaults


@pytest.mark.parametrize("text, message", [
    ("audio:\n  input_device: usb\nstt:\n  engine: telepathy\n",
     "c.yaml:4: stt.engine: 'telepathy' is not one of auto, whisper, vosk, pocketsphinx"),
    ("wake:\n  sensitivty: 0.4\n", "c.yaml:2: wake.sensitivty: unknown setting; did you mean 'sensitivity'?"),
    ("wake:\n  sensitivity: 7\n", "c.yaml:2: wake.sensitivity: 7 is outside 0 .. 1"),
    ("night:\n  enabled: true\n  volume: loud\n", "c.yaml:3: night.volume: 'loud' is not a number"),
    ("tts:\n  speed: [1, 2]\n", "c.yaml:2: tts.speed: expected a single value"),
    ("jornal:\n  path: x.db\n", "c.yaml:1: jornal: unknown section; did you mean 'journal'?"),
    ("listen:\n  vad_aggressiveness: 1.5\n", "c.yaml:2: listen.vad_aggressiveness: 1.5 is not a whole number"),
    ("stt:\n  engine: [\n", "c.yaml:3: not valid YAML"),
    ("- just\n- a list\n", "c.yaml:1: the config must be a mapping of sections"),
    ('safety:\n  crisis_line: ""\n', "c.yaml:2: safety.crisis_line: must not be empty"),
    ("safety:\n  crisis_line: 988\n  emergency_number: '   '\n",
     "c.yaml:3: safety.emergency_number: must not be empty"),
    ("wake:\n  phrase: ' '\n", "c.yaml:2: wake.phrase: must not be empty"),
    (f"stt:\n  answer_prompt: {'We rested. ' * 20}\n", "c.yaml:2: stt.answer_prompt: 219 characters; one sentence"),
    ('journal:\n  path: ""\n', "c.yaml:2: journal.path: must not be empty"),
    ("practices:\n  folder: ' '\n", "c.yaml:2: practices.folder: must not be empty"),
    ("wake:\n  phrase: !!python/name:os.system\n", "c.yaml:2: wake.phrase: "),
    ("wake:\n  sensitivity: !!timestamp soon\n", "c.yaml:2: wake.sensitivity: 'soon' cannot be read"),
    ("wake:\n  phrase: hey glimmer\nwake:\n  sensitivity: 0.3\n", "c.yaml:3: wake: this section is set twice"),
    ("wake:\n  sensitivity: 0.3\n  sensitivity: 0.9\n", "c.yaml:3: wake: sensitivity: this setting is set twice"),
    ("? [wake]\n: 1\n", "c.yaml:1: expected a section name"),
    ("wake:\n  phrase: hey glimmer\n\n  sensitivity: 0.5\x00\n",
     "c.yaml:4: not valid YAML: unacceptable character #x0000"),
])
def test_mistakes_name_file_line_and_key(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(GlimmerError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{tmp_path}/{message}")


@pytest.mark.parametrize("written, prompt", [("", None), ("''", None), ("'  '", None), ("~", None),
                                             ("'We stopped\n   and rested.'", "We stopped and rested.")])
def test_an_answer_prompt_may_be_empty_and_is_one_line(tmp_path, written, prompt):
    path = tmp_path / "c.yaml"
    path.write_text(f"stt:\n  answer_prompt: {written}\n")
    assert load_settings(path).stt.answer_prompt == prompt


def test_values_are_typed_and_relative_paths_follow_the_config(tmp_path):
    path = tmp_path / "conf" / "c.yaml"
    path.parent.mkdir()
    path.write_text("audio:\n  input_device: 2\n  output_device: USB Audio\njournal:\n  path: data/j.db\n"
                    "tts:\n  speed: 1\n")
    settings = load_settings(path)
    assert settings.audio.input_device == 2 and settings.audio.output_device == "USB Audio"
    assert settings.journal.path == str(tmp_path / "conf" / "data" / "j.db")
    assert isinstance(settings.tts.speed, float) and settings.tts.speed == 1.0


def test_journal_option_overrides_the_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("journal:\n  path: a.db\n")
    assert load_settings(path, journal="/elsewhere/b.db").journal.path == "/elsewhere/b.db"


def test_a_non_text_config_is_one_clear_error(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(GlimmerError, match="not a text file"):
        load_settings(path)


def test_every_setting_has_documentation():
    for section in fields(Settings):
        for setting in fields(section.default_factory):
            assert setting.metadata.get("doc"), f"{section.name}.{setting.name} has no doc"
            assert typing.get_type_hints(section.default_factory)[setting.name] is not None



def test_unquoted_times_and_numbers_are_kept_as_written(tmp_path):
    # YAML 1.1 reads 22:00 as 1320 (base 60) and 000 as 0: a text setting keeps what the person wrote.
    path = tmp_path / "c.yaml"
    path.write_text("night:\n  start: 22:00\n  end: 6:30\nsafety:\n  emergency_number: 000\n")
    settings = load_settings(path)
    assert (settings.night.start, settings.night.end) == ("22:00", "06:30")
    assert settings.safety.emergency_number == "000"
    path.write_text("night:\n  enabled: true\n  start: 25:00\n")
    with pytest.raises(GlimmerError, match=r"c.yaml:3: night.start: '25:00' is not a time like 22:00"):
        load_settings(path)


def test_paths_expand_home_and_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("GLIMMER_TEST_DATA", str(tmp_path / "data"))
    path = tmp_path / "c.yaml"
    path.write_text("journal:\n  path: $GLIMMER_TEST_DATA/j.db\npractices:\n  folder: ${HOME}/mine\n")
    settings = load_settings(path)
    assert settings.journal.path == str(tmp_path / "data" / "j.db")
    assert settings.practices.folder == str(Path.home() / "mine")
    monkeypatch.delenv("GLIMMER_TEST_DATA")
    with pytest.raises(GlimmerError, match=r"c.yaml:2: journal.path: \$GLIMMER_TEST_DATA is not set"):
        load_settings(path)


FLOAT_SETTINGS = [(section.name, setting.name) for section in fields(Settings)
                  for setting in fields(section.default_factory)
                  if typing.get_type_hints(section.default_factory)[setting.name] is float]


@pytest.mark.parametrize("section, key", FLOAT_SETTINGS)
@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_nan_and_infinity_are_refused_for_every_number(tmp_path, section, key, value):
    path = tmp_path / "c.yaml"
    path.write_text(f"{section}:\n  {key}: {value}\n")
    with pytest.raises(GlimmerError, match=rf"c.yaml:2: {section}.{key}: -?(nan|inf) is not a usable number"):
        load_settings(path)
