"""Property: whatever file `glimmer journal import` is given (a valid export mutated: random bytes, wrong types,
huge fields, bad dates), it ends in one-line errors or a clean import, never a traceback or a hang, and a
failed import leaves the journal exactly as it was."""

import contextlib
import csv
import io
import json
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.cli import main
from assistant.journal.entries import Entry
from assistant.journal.export import FIELDS, entry_to_dict, export
from assistant.journal.store import Journal

ROOT = Path(__file__).resolve().parents[1]
SAID = datetime(2026, 3, 4, 21, 14, 5, 120000, tzinfo=timezone(timedelta(hours=-5, minutes=-30)))
ENTRIES = [
    Entry(1, SAID, "the warm mug in my hands", practice="savor", senses=("touch", "body"), calm_before=3,
          calm_after=7, confidence=0.8125, last_replayed=datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc),
          replay_count=2),
    Entry(2, SAID + timedelta(days=1), 'commas, "quotes", ünïcödé — and\r\na second line', senses=("sight",)),
    Entry(3, SAID + timedelta(days=2), "=HYPERLINK(\"http://example.com\") is just my words", practice="capture"),
    Entry(7, SAID + timedelta(days=3), "-the last one", calm_before=0, calm_after=10),
]
SECONDS = 10   # far more than any import of these files needs: longer is a hang

offsets = st.integers(-23 * 60 + 1, 23 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
dates = st.one_of(
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59), timezones=st.none() | offsets)
    .map(lambda moment: moment.isoformat()),
    st.text(alphabet="0123456789-T:+.Z ", max_size=35))
huge = st.builds(lambda n, char: char * n, st.integers(129 * 1024, 400 * 1024), st.characters())
formulas = st.sampled_from(["=cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(A1)", "-1", "'=quoted", "\t=x", "\r"])
cells = st.one_of(st.text(max_size=40), huge, dates, formulas, st.integers(-2**70, 2**70).map(str),
                  st.floats().map(str))
values = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=40), huge,
                   dates, formulas, st.lists(st.integers() | st.text(max_size=8), max_size=3),
                   st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@st.composite
def mutated_bytes(draw, document: bytes) -> bytes:
    """The document, or it with a stretch replaced by random bytes (which may cut or add anything)."""
    if draw(st.booleans()):
        return document
    start = draw(st.integers(0, len(document)))
    end = draw(st.integers(start, min(len(document), start + 64)))
    return document[:start] + draw(st.binary(max_size=32)) + document[end:]


@st.composite
def json_files(draw) -> tuple[str, bytes]:
    rows = [entry_to_dict(e) for e in ENTRIES]
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.sampled_from(rows))
        row[draw(st.sampled_from(FIELDS))] = draw(values)
    if draw(st.booleans()):
        rows = draw(st.sampled_from([rows[0], rows * 2, [rows[0], 3, None], {"entries": rows}]))
    return "backup.json", draw(mutated_bytes(json.dumps(rows).encode()))


@st.composite
def csv_files(draw) -> tuple[str, bytes]:
    rows = [line for line in csv.reader(io.StringIO(export(ENTRIES, "csv"), newline=""))]
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.sampled_from(rows))   # the header too: a column may lose its name
        row[draw(st.integers(0, len(row) - 1))] = draw(cells)
    if draw(st.booleans()):
        del draw(st.sampled_from(rows))[draw(st.integers(0, len(FIELDS) - 2)):]   # a row cut short
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return "backup.csv", draw(mutated_bytes(out.getvalue().encode()))


import_files = st.one_of(json_files(), csv_files())


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A folder with a journal that already holds two of the entries, and an empty config."""
    folder = tmp_path_factory.mktemp("base")
    (folder / "config.yaml").write_text("")
    with Journal(folder / "journal.db") as journal:
        journal.put_all(ENTRIES[:2])
    return folder


def _kept(db: Path) -> list[Entry]:
    with Journal(db) as journal:
        return journal.list()


def _in_process(args: list[str]) -> tuple[int, str]:
    """`glimmer ARGS…` in this process, stopped by an alarm if it takes longer than SECONDS."""
    def hang(*_: object) -> None:
        raise TimeoutError(f"glimmer {' '.join(args)} took more than {SECONDS} s")

    err, previous = io.StringIO(), signal.signal(signal.SIGALRM, hang)
    signal.alarm(SECONDS)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code, err.getvalue()


def _by_the_real_command(args: list[str]) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          timeout=SECONDS + 20, cwd=ROOT)
    return done.returncode, done.stderr


def _check(base: Path, name: str, data: bytes, run) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db, file = Path(folder) / "journal.db", Path(folder) / name
        shutil.copy(base / "journal.db", db)
        file.write_bytes(data)
        before = _kept(db)
        code, err = run(["--config", str(base / "config.yaml"), "--journal", str(db), "journal", "import",
                         str(file)])
        after = _kept(db)
    lines = err.splitlines()
    assert "Traceback" not in err and lines, err
    if code == 0:
        assert len(lines) == 1 and lines[0].startswith("imported "), err
        assert set(before) <= set(after) and len(after) - len(before) == int(lines[0].split()[1])
    else:
        assert code == 1 and all(line.startswith("glimmer: ") for line in lines), err
        assert all(line.startswith(f"glimmer: {file}") for line in lines[:-1]), err   # each names file and row
        assert after == before


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(import_files)
def test_any_import_file_is_clean_errors_or_a_clean_import(base, file):
    _check(base, *file, _in_process)


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(import_files)
def test_the_real_command_too(base, file):
    _check(base, *file, _by_the_real_command)
