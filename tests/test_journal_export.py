"""Export round trips, and `glimmer journal …` exactly as in GUIDE section 2."""

import csv
import io
import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from assistant.errors import GlimmerError
from assistant.journal.entries import Entry
from assistant.journal.export import export
from assistant.journal.importer import read_export
from assistant.journal.store import Journal

ROOT = Path(__file__).resolve().parents[1]
GLIMMER = [sys.executable, "-c", "import sys; from assistant.cli import main; sys.exit(main())"]


def _fill(journal: Journal) -> None:
    said = datetime(2026, 3, 4, 21, 14, 5, 120000, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
    journal.add("the warm mug in my hands", practice="savor", senses=["touch", "body"], calm_before=3,
                calm_after=7, confidence=0.8125, created=said)
    journal.add('commas, "quotes", ünïcödé — and\na second line', senses=["sight"], created=said + timedelta(days=1))
    journal.add("=1+1 looks like a formula but is just my words", created=said + timedelta(days=2))
    journal.mark_replayed(1, datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_round_trips(tmp_path, fmt):
    with Journal(tmp_path / "a.db") as a, Journal(tmp_path / "b.db") as b:
        _fill(a)
        a.delete(2)   # a gap in the ids must survive too
        document = export(a.list(), fmt)
        assert b.put_all(read_export(f"backup.{fmt}", document.encode()).entries) == [3, 1]
        assert b.list() == a.list()
        assert export(b.list(), fmt) == document
        assert b.search("formula")[0].id == 3   # the search index follows imported entries


def test_import_keeps_existing_entries(tmp_path):
    with Journal(tmp_path / "a.db") as a:
        _fill(a)
        entries = a.list()
        reworded = [replace(e, text=f"{e.text}, again") for e in entries]
        assert a.put_all(entries + reworded) == [None] * 3 + [4, 5, 6]   # taken ids get new ones
        assert sorted(e.text for e in a.list()) == sorted(e.text for e in entries + reworded)


def test_bad_import_is_a_clear_error():
    with pytest.raises(GlimmerError, match="not a JSON export"):
        read_export("x.json", b"{oops")
    assert read_export("x.json", b'[{"id": 7, "text": "no date"}]').rejects == ["x.json entry 1: created is missing"]


def test_markdown_keeps_the_words(tmp_path):
    with Journal(tmp_path / "a.db") as a:
        _fill(a)
        md = export(a.list(oldest_first=True), "md")
    assert md.startswith("# My glimmers")
    assert "## Wednesday 4 March 2026, 21:14" in md
    assert "the warm mug in my hands\n\n*savor · touch, body · calm 3 → 7*" in md
    assert 'commas, "quotes", ünïcödé — and\na second line' in md


def _glimmer(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*GLIMMER, "--journal", str(db), *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=db.parent)


def test_cli_journal_commands(tmp_path):
    db = tmp_path / "journal.db"
    first = _glimmer("journal", "add", "the smell of toast", "--sense", "smell", db=db)
    assert first.returncode == 0 and first.stdout == "1\n"
    piped = _glimmer("journal", "add", "-", db=db, stdin="birdsong at dawn\n\n  \nmy cat purring\n")
    assert piped.stdout.split() == ["2", "3"]
    listed = _glimmer("journal", "list", db=db).stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["3", "2", "1"] and listed[0].endswith("my cat purring")
    assert _glimmer("journal", "search", "toast", db=db).stdout.split("\t")[0] == "1"
    exported = json.loads(_glimmer("journal", "export", "--format", "json", db=db).stdout)
    assert [(e["id"], e["text"]) for e in exported] == [(1, "the smell of toast"), (2, "birdsong at dawn"),
                                                        (3, "my cat purring")]
    assert all(datetime.fromisoformat(e["created"]).tzinfo for e in exported)
    assert _glimmer("journal", "delete", "2", db=db).stdout == "deleted 2\n"
    gone = _glimmer("journal", "delete", "2", db=db)
    assert gone.returncode == 1 and gone.stderr.startswith("glimmer: ") and len(gone.stderr.splitlines()) == 1
    out = tmp_path / "backup.csv"
    assert _glimmer("journal", "export", "--format", "csv", "--out", str(out), db=db).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    restored = tmp_path / "restored.db"
    assert _glimmer("journal", "import", str(out), db=restored).returncode == 0
    assert _glimmer("journal", "list", db=restored).stdout == _glimmer("journal", "list", db=db).stdout
    bad = _glimmer("journal", "add", "x", "--calm-after", "12", db=db)
    assert bad.returncode == 1 and bad.stderr == "glimmer: calm after must be a whole number from 0 to 10, not 12\n"


FORMULAS = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1:A9)", '=HYPERLINK("http://example.com","click")',
            "-1+2", "\tindented", "\rcarriage", "'=quoted already", "''+two quotes", "'tis the season", "= "]


def test_csv_export_neutralises_formulas_and_import_restores_them():
    said = datetime(2026, 3, 4, 21, 14, 5, 120000, tzinfo=timezone.utc)
    entries = [Entry(id=i + 1, created=said + timedelta(minutes=i), text=text, practice=text, senses=(text,))
               for i, text in enumerate(FORMULAS)]
    document = export(entries, "csv")
    cells = [cell for row in csv.reader(io.StringIO(document, newline="")) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0" in cells and "'''+two quotes" in cells and "'tis the season" in cells
    assert read_export("backup.csv", document.encode()).entries == entries
