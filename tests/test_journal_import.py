"""`glimmer journal import`: all or nothing, idempotent, a dry run, and one line naming file and row per reject."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.journal.entries import Entry
from assistant.journal.export import entry_to_dict, export
from assistant.journal.store import Journal

SAID = datetime(2026, 3, 4, 21, 14, 5, 120000, tzinfo=timezone(timedelta(hours=1)))


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """glimmer ARGS… in this process against tmp_path/journal.db; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def glimmer(*args: str) -> tuple[int, str, str]:
        code = main(["--journal", str(tmp_path / "journal.db"), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return glimmer


def _entries(n: int) -> list[dict]:
    return [{"id": i + 1, "created": (SAID + timedelta(minutes=i)).isoformat(), "text": f"glimmer number {i + 1}",
             "senses": ["sight"]} for i in range(n)]


def _kept(tmp_path: Path) -> list[tuple[str, str]]:
    with Journal(tmp_path / "journal.db") as journal:
        return [(e.created.isoformat(), e.text) for e in journal.list(oldest_first=True)]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_a_bad_row_anywhere_imports_nothing(tmp_path, glimmer):
    entries = [Entry(id=i + 1, created=SAID + timedelta(minutes=i), text=f"glimmer number {i + 1}",
                     calm_after=11 if i == 484 else 7) for i in range(10_000)]   # entry 485: line 486
    big = tmp_path / "big.csv"
    big.write_text(export(entries, "csv"), encoding="utf-8")
    with Journal(tmp_path / "journal.db") as journal:
        journal.add("already here", created=SAID)
    done = glimmer("--journal", str(tmp_path / "journal.db"), "journal", "import", str(big), timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == (f"glimmer: {big} line 486: calm_after must be a whole number "
                                           "from 0 to 10, not 11")
    assert done.stderr.splitlines()[-1] == (f"glimmer: nothing imported: 1 of 10000 entries in {big} cannot be "
                                            "kept; correct it and import again")
    assert _kept(tmp_path) == [(SAID.isoformat(), "already here")]


def test_importing_twice_keeps_one_of_each_and_counts_the_rest(tmp_path, run):
    backup = _write(tmp_path / "backup.json", _entries(3) + _entries(1))   # the first entry twice in the file too
    assert run("journal", "import", str(backup)) == (0, "", "imported 3 glimmers; skipped 1 already kept "
                                                            "(same time and words)\n")
    assert run("journal", "import", str(backup)) == (0, "", "imported 0 glimmers; skipped 4 already kept "
                                                            "(same time and words)\n")
    assert [text for _, text in _kept(tmp_path)] == ["glimmer number 1", "glimmer number 2", "glimmer number 3"]


def test_dry_run_counts_and_writes_nothing(tmp_path, run):
    backup = _write(tmp_path / "backup.json", _entries(5))
    assert run("journal", "import", "--dry-run", str(backup)) == (
        0, "", "dry run: would import 5 glimmers; skip 0 already kept (same time and words); nothing written\n")
    assert not (tmp_path / "journal.db").exists()
    run("journal", "import", str(_write(tmp_path / "two.json", _entries(2))))
    assert run("journal", "import", "--dry-run", str(backup))[2].startswith("dry run: would import 3 glimmers; "
                                                                           "skip 2 already kept")
    assert len(_kept(tmp_path)) == 2


@pytest.mark.parametrize("field, value, reason", [
    ("created", "0001-01-01T00:00:00", "created must be a date and time from the years 1900 to 2999"),
    ("created", "9999-12-31T23:59:59-01:00", "created must be a date and time from the years 1900 to 2999"),
    ("created", 20260304, "created must be a date and time"),
    ("id", 1e23, "id must be a whole number from 1 to 9007199254740991, not 1e+23"),
    ("id", True, "id must be a whole number"),
    ("senses", [1, 2], "senses must be words, not [1, 2]"),
    ("text", "", "text is empty"),
    ("text", "  \n ", "text is empty"),
    ("text", None, "text is missing"),
    ("text", ["a"], "text must be words"),
    ("text", "\ud800", "text is not valid unicode"),
    ("calm_after", 11, "calm_after must be a whole number from 0 to 10, not 11"),
    ("calm_before", 2.5, "calm_before must be a whole number from 0 to 10, not 2.5"),
    ("confidence", float("nan"), "confidence must be a number from 0 to 1, not nan"),
    ("replay_count", -1, "replay_count must be a whole number"),
    ("last_replayed", "yesterday", "last_replayed must be a date and time"),
    ("practice", 7, "practice must be words"),
])
def test_each_bad_value_is_one_line_naming_file_and_entry(tmp_path, run, field, value, reason):
    rows = _entries(3)
    rows[1][field] = value
    backup = _write(tmp_path / "backup.json", rows)
    code, out, err = run("journal", "import", str(backup))
    assert code == 1 and out == "" and "Traceback" not in err
    assert err.splitlines()[0].startswith(f"glimmer: {backup} entry 2: {reason}")
    assert len(err.splitlines()) == 2 and err.splitlines()[1].startswith("glimmer: nothing imported: 1 of 3")
    assert not (tmp_path / "journal.db").exists() or _kept(tmp_path) == []


def test_whole_file_problems_are_one_line(tmp_path, run):
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(_entries(1)).replace("glimmer", "gl\u00eemmer").encode("latin-1"))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    not_list = _write(tmp_path / "one.json", _entries(1)[0])
    no_text = tmp_path / "columns.csv"
    no_text.write_text("id,created\n1,2026-03-04T21:14:05+01:00\n")
    for path, says in [(latin, "not UTF-8 text (byte 0xee at offset 69)"), (deep, "not a JSON export"),
                       (not_list, "not a JSON export: expected a list of entries"),
                       (no_text, "not a CSV export: it has no text column")]:
        code, out, err = run("journal", "import", str(path))
        assert (code, out) == (1, "") and err.startswith(f"glimmer: {path}: {says}") and err.count("\n") == 1, err


def test_csv_cells_mean_what_they_say(tmp_path, run):
    backup = tmp_path / "backup.csv"
    backup.write_text("id,created,text,practice,senses\n"
                      "1,2026-03-04T21:14:05+01:00,birdsong,,sight;sound\n"
                      "2,2026-03-04T21:15:05+01:00,,savor,\n", encoding="utf-8")
    code, _, err = run("journal", "import", str(backup))
    assert code == 1 and err.splitlines()[0] == f"glimmer: {backup} line 3: text is missing"
    backup.write_text(backup.read_text().replace(",,savor", ",the cat,savor"))
    assert run("journal", "import", str(backup))[0] == 0
    with Journal(tmp_path / "journal.db") as journal:
        first, second = journal.list(oldest_first=True)
    assert (first.practice, first.senses, second.practice, second.senses) == (None, ("sight", "sound"), "savor", ())


def test_a_single_sense_as_a_string_is_one_sense(tmp_path, run):
    rows = _entries(1)
    rows[0]["senses"] = "sight"
    assert run("journal", "import", str(_write(tmp_path / "backup.json", rows)))[0] == 0
    with Journal(tmp_path / "journal.db") as journal:
        assert journal.get(1).senses == ("sight",)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_own_export_of_long_and_tricky_glimmers_comes_back_exactly(tmp_path, run, fmt):
    with Journal(tmp_path / "source.db") as source:
        source.add("a long glimmer " * 20_000, created=SAID)                     # 300 KB, over csv's 128 KiB
        source.add("line one\r\nline two\rline three", created=SAID + timedelta(minutes=1))
        source.add("=HYPERLINK(\"http://example.com\")", senses=["sight"], created=SAID + timedelta(minutes=2))
        backup = tmp_path / f"backup.{fmt}"
        assert main(["--journal", str(tmp_path / "source.db"), "journal", "export", "--format", fmt,
                     "--out", str(backup)]) == 0
        assert run("journal", "import", str(backup))[0] == 0
        with Journal(tmp_path / "journal.db") as copy:
            assert [entry_to_dict(e) for e in copy.list()] == [entry_to_dict(e) for e in source.list()]
