"""The command line as a person meets it: help, errors in one line, no microphone, doctor."""

import stat
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
    code = ("import sys, assistant.cli; assistant.cli.build_parser(); print(sorted(m for m in "
            "('numpy', 'faster_whisper', 'hibari', 'sounddevice', 'vosk') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_doctor_shows_the_numbers_a_person_in_distress_hears(glimmer, tmp_path):
    (tmp_path / "c.yaml").write_text('safety:\n  crisis_line: "116 123, Samaritans"\n  emergency_number: 999\n'
                                     "night:\n  start: 21:30\n")
    out = glimmer("--config", "c.yaml", "doctor").stdout
    assert "OK  distress response: crisis line '116 123, Samaritans', emergency number '999'" in out
    assert "OK  night mode: 21:30 to 07:00" in out  # written unquoted: still 21:30, not 1290


def test_doctor_shows_how_answers_end(glimmer, tmp_path):
    (tmp_path / "on.yaml").write_text("listen:\n  end_of_turn: true\n")
    (tmp_path / "half.yaml").write_text("listen:\n  end_of_turn: true\n  barge_in: false\n")
    on = glimmer("--config", "on.yaml", "doctor").stdout
    assert "OK  end of turn: answers whose words sound finished end after 0.7 s of silence and stay open" in on
    half = glimmer("--config", "half.yaml", "doctor").stdout
    assert "OK  end of turn: answers end after 2.2 s of silence" in half and "half-duplex" in half


def test_doctor_reports_what_run_would_fail_on(glimmer, tmp_path):
    (tmp_path / "noise.db").write_bytes(bytes(range(256)) * 16)
    (tmp_path / "folder.db").mkdir()
    (tmp_path / "c.yaml").write_text("wake:\n  phrase: hey computer\n")
    for journal, problem in (("noise.db", "is not a Glimmer journal"), ("folder.db", "is a folder")):
        result = glimmer("--journal", journal, "doctor")
        line = next(line for line in result.stdout.splitlines() if "journal:" in line)
        assert line.startswith(f"--  journal: {tmp_path / journal} {problem}") and "--journal" in line
        assert result.returncode == 1
    assert (tmp_path / "noise.db").read_bytes() == bytes(range(256)) * 16   # left as it was
    result = glimmer("--config", "c.yaml", "doctor")
    assert "--  wake phrase: wake phrase 'hey computer' is not supported" in result.stdout
    assert "set wake.phrase" in result.stdout and result.returncode == 1


def test_doctor_reads_an_existing_journal(glimmer, tmp_path):
    assert glimmer("--journal", "j.db", "journal", "add", "tea on the step").returncode == 0
    assert f"OK  journal: {tmp_path / 'j.db'} (1 glimmer(s), writable)" in glimmer("--journal", "j.db", "doctor").stdout


def test_doctor_reports_what_the_journal_refuses_and_changes_nothing(glimmer, tmp_path):
    """The journal's own checks (faults-journal) as doctor lines: a shared folder, a link, a damaged file."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    (mine / "link.db").symlink_to(tmp_path / "elsewhere.db")
    assert glimmer("--journal", str(mine / "real.db"), "journal", "add", "-",
                   stdin="".join(f"glimmer number {i} with sunlight in it\n" for i in range(400))).returncode == 0
    damaged = mine / "damaged.db"
    damaged.write_bytes((mine / "real.db").read_bytes()[:-100])
    for journal, problem in ((shared / "j.db", "can be written by others"), (mine / "link.db", "symbolic link"),
                             (damaged, "is damaged")):
        before = sorted(p.name for p in journal.parent.iterdir())
        result = glimmer("--journal", str(journal), "doctor")
        line = next(line for line in result.stdout.splitlines() if "journal:" in line)
        assert line.startswith("--  journal: ") and problem in line and result.returncode == 1, line
        assert sorted(p.name for p in journal.parent.iterdir()) == before
    assert not (tmp_path / "elsewhere.db").exists() and stat.S_IMODE(shared.stat().st_mode) == 0o777


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
