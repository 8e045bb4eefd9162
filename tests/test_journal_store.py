"""The journal store: durability under SIGKILL, privacy of the files, search, real deletion, resurfacing."""

import os
import random
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import GlimmerError
from assistant.journal.replay import pick_for_replay
from assistant.journal.schema import MIGRATIONS
from assistant.journal.store import Journal

ROOT = Path(__file__).resolve().parents[1]
GLIMMER = [sys.executable, "-c", "import sys; from assistant.cli import main; sys.exit(main())"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _feed(stdin, lines: list[str]) -> None:
    try:
        for line in lines:
            stdin.write(line.encode() + b"\n")
    except OSError:
        pass   # the writer was killed


def _collect(stdout, printed: list[bytes], first: threading.Event) -> None:
    for line in stdout:
        printed.append(line)
        first.set()


def test_sigkill_at_random_moments_never_loses_a_printed_id(tmp_path):
    db = tmp_path / "private" / "journal.db"
    rng = random.Random(6)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    confirmed: dict[int, str] = {}
    for round_no in range(30):
        lines = [f"round {round_no} glimmer {i}: light through the curtain" for i in range(3000)]
        proc = subprocess.Popen([*GLIMMER, "--journal", str(db), "journal", "add", "-"], cwd=tmp_path, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                bufsize=0)
        printed: list[bytes] = []
        first = threading.Event()
        threads = [threading.Thread(target=_feed, args=(proc.stdin, lines), daemon=True),
                   threading.Thread(target=_collect, args=(proc.stdout, printed, first), daemon=True)]
        for thread in threads:
            thread.start()
        if round_no % 5 == 0:   # any moment from start-up on: while opening, creating or recovering the file
            time.sleep(rng.uniform(0.0, 1.0))
        else:                   # in the middle of writing
            assert first.wait(timeout=30), "the writer printed nothing"
            time.sleep(rng.uniform(0.0, 0.3))
        proc.kill()
        proc.wait()
        for thread in threads:
            thread.join(timeout=10)
        proc.stdin.close()
        proc.stdout.close()
        ids = [int(line) for line in printed if line.endswith(b"\n")]
        confirmed.update(zip(ids, lines, strict=False))   # the i-th id printed belongs to the i-th line read
        if not db.exists():
            assert not ids   # killed before it even created the journal
            continue

        with sqlite3.connect(db) as raw:       # a plain SQLite opens it cleanly after the kill
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with Journal(db) as journal:
            journal.check()                     # database and search index intact
            for entry_id, text in confirmed.items():
                entry = journal.get(entry_id)
                assert entry is not None and entry.text == text, f"round {round_no}: id {entry_id} lost"
    assert len(confirmed) > 100, "the writer barely ran; the test proved little"
    assert _mode(db) == 0o600 and _mode(db.parent) == 0o700


def test_files_are_private(tmp_path):
    db = tmp_path / "a" / "b" / "journal.db"
    with Journal(db, keep_audio=True) as journal:
        entry_id = journal.add("the hum of the fridge", audio=np.zeros(1600, dtype=np.int16))
        clip = Path(journal.get(entry_id).audio_path)
        for folder in (db.parent, db.parent.parent, journal.clips_dir):
            assert _mode(folder) == 0o700, folder
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), clip):
            assert _mode(path) == 0o600, path


def test_audio_is_kept_only_when_asked(tmp_path):
    with Journal(tmp_path / "j.db", keep_audio=False) as journal:
        entry_id = journal.add("rain on the window", audio=np.ones(800, dtype=np.int16))
        assert journal.get(entry_id).audio_path is None
        assert not journal.clips_dir.exists()


def test_words_are_kept_even_when_the_clip_cannot_be_written(tmp_path):
    with Journal(tmp_path / "j.db", keep_audio=True) as journal:
        journal.clips_dir.write_text("a file where the clips folder should be")
        entry = journal.get(journal.add("the lamp's warm circle", audio=np.zeros(160, dtype=np.int16)))
        assert entry.text == "the lamp's warm circle" and entry.audio_path is None


def test_clips_of_uncommitted_entries_are_swept(tmp_path):
    Journal(tmp_path / "j.db").close()
    clips = tmp_path / "j-clips"
    clips.mkdir(mode=0o700)
    for name in ("7.wav", "8.wav"):   # left by a crash between writing the clip and the commit
        (clips / name).write_bytes(b"RIFF")
    os.utime(clips / "7.wav", (time.time() - 7200,) * 2)
    Journal(tmp_path / "j.db").close()
    assert [p.name for p in clips.iterdir()] == ["8.wav"]   # a young one may still be committing elsewhere


def test_entry_fields_and_local_offset(tmp_path):
    said = datetime(2026, 3, 4, 21, 14, 5, 120000, tzinfo=timezone(timedelta(hours=1)))
    with Journal(tmp_path / "j.db") as journal:
        entry_id = journal.add("  sun on my face  ", practice="savor", senses=["Sight", "touch", "sight"],
                               calm_before=3, calm_after=7, confidence=0.82, created=said)
        entry = journal.get(entry_id)
        stored = journal._db.execute("SELECT created_utc, utc_offset_s FROM entries").fetchone()
    assert entry.text == "sun on my face" and entry.practice == "savor"
    assert entry.senses == ("sight", "touch")
    assert (entry.calm_before, entry.calm_after, entry.confidence) == (3, 7, 0.82)
    assert entry.created == said and entry.created.utcoffset() == timedelta(hours=1)
    assert stored == ("2026-03-04T20:14:05.120000+00:00", 3600)


def test_bad_values_are_one_line_errors(tmp_path):
    with Journal(tmp_path / "j.db") as journal:
        with pytest.raises(GlimmerError, match="0 to 10"):
            journal.add("x", calm_after=11)
        with pytest.raises(GlimmerError, match="word"):
            journal.add("   ")
        assert journal.list() == []


def test_schema_is_versioned(tmp_path):
    db = tmp_path / "j.db"
    Journal(db).close()
    Journal(db).close()   # reopening runs no migration twice
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        raw.execute("PRAGMA user_version = 99")
    with pytest.raises(GlimmerError, match="newer Glimmer"):
        Journal(db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GlimmerError, match="cannot be read"):
        Journal(junk)


def test_search_finds_words(tmp_path):
    with Journal(tmp_path / "j.db") as journal:
        bird = journal.add("Two birds singing before dawn", senses=["sound"])
        tea = journal.add("the steam from my tea, warm in both hands", senses=["touch"])
        journal.add("a kind text from Maya")
        assert [e.id for e in journal.search("bird")] == [bird]            # stemming
        assert [e.id for e in journal.search("warm hands")] == [tea]       # every word
        assert [e.id for e in journal.search("STEA")] == [tea]             # prefix, any case
        assert [e.id for e in journal.search("sound")] == [bird]           # sense tags
        assert journal.search("warm birds") == []
        assert journal.search('"(*-') == [] and journal.search("") == []   # never an FTS syntax error


def test_delete_leaves_no_trace(tmp_path):
    db = tmp_path / "j.db"
    secret = "zanzibarquokka"
    with Journal(db, keep_audio=True) as journal:
        for i in range(40):   # several index segments around the secret one
            journal.add(f"ordinary glimmer {i}")
            if i == 20:
                doomed = journal.add(f"{secret} purring on the windowsill", senses=["sound"],
                                     audio=np.full(1600, 1000, dtype=np.int16))
        clip = Path(journal.get(doomed).audio_path)
        assert clip.is_file() and journal.search(secret)
        assert journal.delete(doomed) and not journal.delete(doomed)
        assert journal.get(doomed) is None and journal.search(secret) == []
        assert not clip.exists()
        db_ = journal._db
        assert db_.execute("SELECT count(*) FROM entries_fts_docsize WHERE id = ?", (doomed,)).fetchone()[0] == 0
        assert all(secret.encode() not in bytes(blob) for (blob,) in db_.execute("SELECT block FROM entries_fts_data"))
        assert db_.execute("SELECT count(*) FROM entries_fts_idx WHERE term LIKE 'zanz%'").fetchone()[0] == 0
        for path in (db, Path(f"{db}-wal")):   # not even in free pages or the write-ahead log
            assert secret.encode() not in path.read_bytes() and b"windowsill" not in path.read_bytes(), path
        journal.check()
        assert len(journal.list()) == 40


def test_replay_favours_glimmers_not_heard_recently(tmp_path):
    rng = random.Random(3)
    now = datetime(2026, 5, 1, 21, 0, tzinfo=timezone.utc)
    with Journal(tmp_path / "j.db") as journal:
        assert pick_for_replay(journal, now=now, rng=rng) is None
        ids = [journal.add(f"glimmer {i}", created=now - timedelta(days=30 - i)) for i in range(5)]
        picked = []
        for step in range(5):   # unheard ones come first: five picks, five different glimmers
            entry = pick_for_replay(journal, now=now + timedelta(minutes=step), rng=rng)
            assert entry.last_replayed == now + timedelta(minutes=step) and entry.replay_count == 1
            picked.append(entry.id)
        assert sorted(picked) == ids
        last = picked[-1]
        for step in range(5, 60):  # never the same one twice in a row
            entry = pick_for_replay(journal, now=now + timedelta(minutes=step), rng=rng)
            assert entry.id != last
            last = entry.id
    with Journal(tmp_path / "weights.db") as journal:
        heard = {}
        for i in range(20):   # half heard a month ago, half an hour ago
            entry_id = journal.add(f"glimmer {i}")
            heard[entry_id] = now - (timedelta(days=30) if i % 2 else timedelta(hours=1))
            journal.mark_replayed(entry_id, heard[entry_id])
        long_ago = 0
        for _ in range(100):
            entry = pick_for_replay(journal, now=now, rng=rng)
            long_ago += heard[entry.id] < now - timedelta(days=1)
            journal.mark_replayed(entry.id, heard[entry.id])   # put it back as it was
        assert long_ago >= 90
    with Journal(tmp_path / "one.db") as journal:
        only = journal.add("the only one")
        assert pick_for_replay(journal, rng=rng).id == only
        assert pick_for_replay(journal, rng=rng).id == only


def test_two_processes_creating_the_same_journal_both_keep_every_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for attempt in range(10):
        db = tmp_path / f"race{attempt}" / "journal.db"
        lines = {who: [f"{who} glimmer {i}" for i in range(5)] for who in ("first", "second")}
        procs = {who: subprocess.Popen([*GLIMMER, "--journal", str(db), "journal", "add", "-"], cwd=tmp_path,
                                       env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
                 for who in lines}
        for who, proc in procs.items():
            out, err = proc.communicate("\n".join(lines[who]) + "\n", timeout=60)
            assert proc.returncode == 0 and err == "", f"attempt {attempt}, {who}: {err}"
            assert len(out.split()) == 5
        with Journal(db) as journal:
            assert sorted(e.text for e in journal.list()) == sorted(lines["first"] + lines["second"])
