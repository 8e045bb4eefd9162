"""The journal under faults and bad input: a full disk, a damaged file, folders and files others control, text
that is not UTF-8, numbers and paths that are wrong. Each gives one line saying what to do, and nothing is lost."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import GlimmerError
from assistant.journal.replay import pick_for_replay
from assistant.journal.store import Journal, NotSaved
from tests.conftest import fill_disk

ROOT = Path(__file__).resolve().parents[1]
GLIMMER = [sys.executable, "-c", "import sys; from assistant.cli import main; sys.exit(main())"]
NOBODY = 65534


def _glimmer(db: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    done = subprocess.run([*GLIMMER, "--journal", str(db), *args], input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def _one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    assert result.stderr.startswith("glimmer: ") and len(result.stderr.splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- a full disk ------------------------------------------------------------------------------------------

def test_a_full_disk_keeps_the_words_in_a_private_side_file_and_reading_still_works(small_disk):
    db = small_disk / "glimmer" / "journal.db"
    with Journal(db) as journal:
        first = journal.add("the cat asleep on my feet")
        fill_disk(small_disk)
        with pytest.raises(NotSaved, match="the disk holding the journal is full") as failed:
            journal.add("sunlight on the kitchen table")
        assert failed.value.full and failed.value.kept == journal.unsaved_path
        assert [e.id for e in journal.list()] == [first]
    kept = failed.value.kept
    assert kept.parent == db.parent and _mode(kept) == 0o600
    assert kept.read_text() == "sunlight on the kitchen table\n"
    assert _glimmer(db, "journal", "list").stdout.endswith("the cat asleep on my feet\n")
    assert _glimmer(db, "journal", "search", "cat").stdout.startswith(f"{first}\t")
    exported = _glimmer(db, "journal", "export")
    assert [e["text"] for e in json.loads(exported.stdout)] == ["the cat asleep on my feet"]
    fill_disk(small_disk)   # giving up the reserve for the side file left a little room: take it too
    _one_line_error(_glimmer(db, "journal", "add", "birdsong"), "is full", "free some space")


def test_add_from_stdin_on_a_full_disk_keeps_the_line_and_the_rest_aside(small_disk):
    db = small_disk / "glimmer" / "journal.db"
    with Journal(db):
        fill_disk(small_disk)
        rest = b"".join(f"glimmer {i}\n".encode() for i in range(2, 6))
        # The CLI opens its own connection: the -shm already exists at full size, so it gets to the insert.
        result = _glimmer(db, "journal", "add", "-", stdin=b"glimmer 1\n" + rest)
    _one_line_error(result, "line 1 and the lines after it", "is full", "journal-unsaved.txt",
                    "journal add - <")
    assert (db.parent / "journal-unsaved.txt").read_text() == "".join(f"glimmer {i}\n" for i in range(1, 6))


# -- a damaged journal ---------------------------------------------------------------------------------------

def test_a_damaged_journal_says_so_and_export_rescues_what_is_readable(tmp_path):
    db = tmp_path / "journal.db"
    lines = [f"glimmer number {i} with sunlight in it" for i in range(1, 401)]
    assert _glimmer(db, "journal", "add", "-", stdin="\n".join(lines).encode()).returncode == 0
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    os.truncate(copy, copy.stat().st_size - 100)
    before = copy.read_bytes()
    for command in (["search", "sunlight"], ["list"], ["delete", "5"], ["add", "one more"]):
        _one_line_error(_glimmer(copy, "journal", *command), "is damaged", "journal export")
    assert copy.read_bytes() == before   # nothing was written to it
    rescued = _glimmer(copy, "journal", "export")
    _one_line_error(rescued, "is damaged", "that can still be read")
    texts = [e["text"] for e in json.loads(rescued.stdout)]
    assert len(texts) >= 300 and set(texts) <= set(lines)


# -- folders and files others control ----------------------------------------------------------------------

def test_a_journal_folder_others_can_write_or_own_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(GlimmerError, match="can be written by others"):
        Journal(shared / "journal.db")
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, NOBODY, NOBODY)
    with pytest.raises(GlimmerError, match="belongs to someone else"):
        Journal(theirs / "journal.db")
    assert list(shared.iterdir()) == [] and list(theirs.iterdir()) == []


def test_links_and_files_of_others_at_the_journal_path_are_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir(mode=0o700)
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0\n")
    target.chmod(0o644)
    (folder / "journal.db").symlink_to(target)
    _one_line_error(_glimmer(folder / "journal.db", "journal", "add", "x"), "symbolic link")
    assert _mode(target) == 0o644 and target.read_text() == "root:x:0:0\n"
    (folder / "dangling.db").symlink_to(tmp_path / "elsewhere.db")
    _one_line_error(_glimmer(folder / "dangling.db", "journal", "add", "x"), "symbolic link")
    assert not (tmp_path / "elsewhere.db").exists()
    Journal(folder / "real.db").close()
    wal = folder / "real.db-wal"
    wal.write_bytes(b"")
    os.chown(wal, NOBODY, NOBODY)
    _one_line_error(_glimmer(folder / "real.db", "journal", "add", "my secret words"), "not a file of yours")
    assert wal.read_bytes() == b""


@pytest.mark.parametrize("command", [["journal", "export", "--out"], ["report", "--out"]])
def test_an_existing_export_file_is_replaced_by_a_new_private_one(tmp_path, command):
    db = tmp_path / "journal.db"
    assert _glimmer(db, "journal", "add", "the warm mug in my hands").returncode == 0
    planted = tmp_path / "out.txt"
    planted.write_text("")
    planted.chmod(0o666)
    os.chown(planted, NOBODY, NOBODY)
    linked_target = tmp_path / "target.txt"
    linked_target.write_text("keep me")
    link = tmp_path / "link.txt"
    link.symlink_to(linked_target)
    for out in (planted, link):
        result = _glimmer(db, *command, str(out))
        assert result.returncode == 0 and "replaced" in result.stderr, result.stderr
        info = os.lstat(out)
        assert stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and _mode(out) == 0o600
        assert "the warm mug in my hands" in out.read_text()
    assert linked_target.read_text() == "keep me"


# -- bad input ------------------------------------------------------------------------------------------------

def test_a_line_that_is_not_utf8_is_named_and_the_rest_are_saved(tmp_path):
    db = tmp_path / "journal.db"
    lines = [f"glimmer {i}".encode() for i in range(1, 23)]
    lines[1] = "caf\xe9 au lait".encode("latin-1")
    result = _glimmer(db, "journal", "add", "-", stdin=b"\n".join(lines) + b"\n")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == ["glimmer: line 2 is not UTF-8 text and was not saved; "
                                          "save the file as UTF-8, then add that line again"]
    assert len(result.stdout.split()) == 21
    with Journal(db) as journal:
        assert len(journal.list()) == 21


def test_a_number_too_large_for_any_glimmer_is_one_line(tmp_path):
    db = tmp_path / "journal.db"
    assert _glimmer(db, "journal", "add", "birdsong").returncode == 0
    _one_line_error(_glimmer(db, "journal", "delete", "999999999999999999999"), "no glimmer number")


def test_a_mistyped_journal_path_is_said_and_only_adding_creates_it(tmp_path):
    typo = tmp_path / "jornal" / "journal.db"
    for command in (["journal", "list"], ["journal", "search", "bird"], ["journal", "export"],
                    ["journal", "delete", "1"], ["report"]):
        _one_line_error(_glimmer(typo, *command), "no journal at")
    assert not typo.parent.exists()
    assert _glimmer(typo, "journal", "add", "the first one").stdout == "1\n"


def test_an_unknown_sense_is_refused_with_the_senses_there_are(tmp_path):
    refused = _glimmer(tmp_path / "journal.db", "journal", "add", "a hum", "--sense", "telepathy")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.splitlines()[-1].endswith(
        "invalid choice: 'telepathy' (choose from 'sight', 'sound', 'touch', 'smell', 'taste', 'body', 'connection')")
    assert not (tmp_path / "journal.db").exists()


def test_a_glimmer_can_still_be_replayed_on_a_full_disk(small_disk):
    with Journal(small_disk / "glimmer" / "journal.db") as journal:
        kept = journal.add("the smell of rain on warm stone")
        fill_disk(small_disk)
        replayed = pick_for_replay(journal)
    assert replayed is not None and replayed.id == kept and replayed.replay_count == 0


# -- import and export under the same rules (faults-journal with faults-import) -----------------------------

def test_an_import_on_a_full_disk_keeps_nothing_and_says_so_in_one_line(small_disk, tmp_path):
    db = small_disk / "glimmer" / "journal.db"
    backup = tmp_path / "backup.json"
    backup.write_text(json.dumps([{"id": i, "created": f"2026-03-04T21:{i:02d}:05+01:00", "text": f"glimmer {i} "
                                   + "with the sun on the wall " * 40} for i in range(1, 60)]))
    with Journal(db) as journal:
        first = journal.add("the cat asleep on my feet")
        fill_disk(small_disk)
        # The CLI opens its own connection: the -shm already exists at full size, so it gets to the inserts.
        result = _glimmer(db, "journal", "import", str(backup))
        _one_line_error(result, "the import (59 glimmers) was not saved", "is full", "nothing was imported",
                        "free some space")
        assert [e.id for e in journal.list()] == [first]
    assert not (db.parent / "journal-unsaved.txt").exists()   # the words are still in the file imported


def test_import_and_its_dry_run_refuse_a_journal_folder_others_can_write(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    backup = tmp_path / "backup.json"
    backup.write_text(json.dumps([{"id": 1, "created": "2026-03-04T21:14:05+01:00", "text": "birdsong"}]))
    for dry_run in ([], ["--dry-run"]):
        _one_line_error(_glimmer(shared / "journal.db", "journal", "import", *dry_run, str(backup)),
                        "can be written by others")
    assert list(shared.iterdir()) == []
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    (mine / "journal.db").symlink_to(tmp_path / "elsewhere.db")
    _one_line_error(_glimmer(mine / "journal.db", "journal", "import", "--dry-run", str(backup)), "symbolic link")
    assert not (tmp_path / "elsewhere.db").exists()


def test_a_csv_export_over_a_planted_file_is_a_new_private_file_with_formulas_neutralised(tmp_path):
    db = tmp_path / "journal.db"
    assert _glimmer(db, "journal", "add", "=HYPERLINK(\"http://x\")").returncode == 0
    planted = tmp_path / "out.csv"
    planted.write_text("")
    planted.chmod(0o666)
    os.chown(planted, NOBODY, NOBODY)
    result = _glimmer(db, "journal", "export", "--format", "csv", "--out", str(planted))
    assert result.returncode == 0 and "replaced" in result.stderr, result.stderr
    info = os.lstat(planted)
    assert stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and _mode(planted) == 0o600
    data = planted.read_bytes()
    assert data.count(b"\r\n") == 2 and b"'=HYPERLINK" in data
    copy = tmp_path / "copy.db"
    assert _glimmer(copy, "journal", "import", str(planted)).returncode == 0
    with Journal(copy) as journal:
        assert [e.text for e in journal.list()] == ['=HYPERLINK("http://x")']
