"""The command line as a person meets it: help, errors in one line, no microphone, doctor."""

from pathlib import Path


def test_help_lists_every_command(glimmer):
    result = glimmer("--help")
    assert result.returncode == 0
    for command in ("run", "listen", "transcribe", "say", "practices", "journal", "report", "models", "doctor"):
        assert command in result.stdout


def test_run_without_a_microphone_says_so_in_one_line(glimmer):
    result = glimmer("run")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no microphone found" in lines[0]
    assert "glimmer doctor" in lines[0] and "demo" in lines[0]


def test_a_config_typo_is_one_line_with_file_and_line(glimmer, tmp_path):
    (tmp_path / "typo.yaml").write_text("tts:\n  engine: hibari\n  sped: 0.8\n")
    result = glimmer("--config", "typo.yaml", "doctor")
    assert result.returncode == 1
    assert result.stderr.strip() == "glimmer: typo.yaml:3: tts.sped: unknown setting; did you mean 'speed'?"
    # The option works after the subcommand too.
    assert glimmer("doctor", "--config", "typo.yaml").stderr == result.stderr


def test_a_missing_config_file_is_one_line(glimmer):
    result = glimmer("--config", "nope.yaml", "doctor")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("glimmer: nope.yaml: cannot read config")


def test_doctor_reports_each_check_and_what_to_do(glimmer, tmp_path):
    result = glimmer("--journal", str(tmp_path / "j" / "journal.db"), "doctor")
    out = result.stdout
    assert "no microphone found" in out and "make demo" in out  # no sound hardware on this machine
    assert "OK  whisper transcriber: installed" in out
    assert f"OK  journal: {tmp_path / 'j' / 'journal.db'} (writable)" in out
    assert result.returncode == 1  # something needs attention: the missing microphone


def test_starting_the_command_loads_no_audio_or_speech_libraries():
    # `glimmer journal add -` in a pipe, `glimmer --help`: start-up stays light; engines load in handlers.
    import subprocess
    import sys
    code = ("import sys, assistant.cli; assistant.cli.build_parser(); "
            "print(sorted(m for m in ('numpy', 'faster_whisper', 'hibari', 'sounddevice', 'vosk') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_output_wav_that_cannot_be_written_fails_first_in_one_line(glimmer, tmp_path):
    """A folder, a path through a file, a place nobody may write (sysfs, even for root): refused before the
    session or the voice starts, not after it, and with nothing written."""
    (tmp_path / "notes").write_text("")
    turn = str(Path(__file__).resolve().parent.parent / "demo" / "turns" / "01-wake-and-glimmer.wav")
    for bad, says in ((tmp_path, "is a folder"), (tmp_path / "notes" / "out.wav", "is a file, not a folder"),
                      ("/sys/glimmer-out.wav", "cannot write there")):
        for command in (("run", "--input-turns", turn), ("say", "Hello.")):
            result = glimmer(*command, "--output-wav", str(bad), "--journal", str(tmp_path / "j.db"), timeout=30)
            assert result.returncode == 1 and result.stdout == "", result.stdout
            assert result.stderr.startswith(f"glimmer: {bad}: ") and says in result.stderr
            assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]
