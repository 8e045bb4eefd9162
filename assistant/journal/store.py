"""The journal store: one private SQLite file (WAL, durable commits, versioned schema, FTS5 search)."""

from __future__ import annotations

import builtins
import json
import logging
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import quote

from assistant.errors import GlimmerError
from assistant.journal.files import hold_reserve, keep_unsaved, make_private_dirs, open_own_file, private_folder

log = logging.getLogger(__name__)

# MIGRATIONS[i] moves a database from user_version i to i + 1. Never change what a shipped step does; append a
# new one. Each step runs inside BEGIN IMMEDIATE after re-reading user_version, and says IF NOT EXISTS, so two
# processes creating the same journal at once both succeed.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,   -- AUTOINCREMENT: a deleted id is never handed out again
        created_utc TEXT NOT NULL,              -- ISO 8601 in UTC with microseconds: sorts as text
        utc_offset_s INTEGER NOT NULL,          -- the person's local UTC offset at that moment
        text TEXT NOT NULL,                     -- their words, verbatim
        practice TEXT,
        senses TEXT NOT NULL DEFAULT '[]',      -- JSON list of sense tags
        calm_before INTEGER CHECK (calm_before BETWEEN 0 AND 10),
        calm_after INTEGER CHECK (calm_after BETWEEN 0 AND 10),
        audio_path TEXT,                        -- a clip inside <journal>-clips/, only when keep_audio
        confidence REAL,                        -- the recognizer's confidence in `text`
        last_replayed TEXT,                     -- ISO UTC of the last time it was played back
        replay_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS entries_by_created ON entries(created_utc);
    CREATE VIRTUAL TABLE IF NOT EXISTS entries_fts USING fts5(
        text, practice, senses, content='entries', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2');
    CREATE TRIGGER IF NOT EXISTS entries_fts_insert AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts(rowid, text, practice, senses)
        VALUES (new.id, new.text, new.practice, new.senses);
    END;
    CREATE TRIGGER IF NOT EXISTS entries_fts_delete AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, text, practice, senses)
        VALUES ('delete', old.id, old.text, old.practice, old.senses);
    END;
    CREATE TRIGGER IF NOT EXISTS entries_fts_update AFTER UPDATE OF text, practice, senses ON entries BEGIN
        INSERT INTO entries_fts(entries_fts, rowid, text, practice, senses)
        VALUES ('delete', old.id, old.text, old.practice, old.senses);
        INSERT INTO entries_fts(rowid, text, practice, senses)
        VALUES (new.id, new.text, new.practice, new.senses);
    END;
    """,
)

_COLUMNS = ("id, created_utc, utc_offset_s, text, practice, senses, calm_before, calm_after, "
            "audio_path, confidence, last_replayed, replay_count")


@dataclass(frozen=True)
class Entry:
    """One glimmer as the person said it."""

    id: int
    created: datetime            # aware, in the person's local offset when it was said
    text: str
    practice: str | None = None
    senses: tuple[str, ...] = ()
    calm_before: int | None = None
    calm_after: int | None = None
    audio_path: str | None = None
    confidence: float | None = None
    last_replayed: datetime | None = None   # aware, UTC
    replay_count: int = 0


class NotSaved(GlimmerError):
    """A write that did not commit. `full`: the disk is full; `kept`: the side file holding the words, if any."""

    def __init__(self, message: str, *, full: bool, kept: Path | None = None) -> None:
        super().__init__(message)
        self.full = full
        self.kept = kept


class Journal:
    """The journal at `path` (created on first use: folder 0700, files 0600). Thread-safe; implements JournalSink.

    Every write is its own transaction committed with synchronous=FULL: when a method returns, the entry
    survives a crash or power cut. The folder must be the user's and writable by no one else, and no file of
    the journal is opened through a link.
    """

    def __init__(self, path: str | Path, *, keep_audio: bool = False, create: bool = True,
                 writable: bool = True, damaged_ok: bool = False) -> None:
        """`create=False`: say so when there is no journal at `path` instead of starting one. `writable=False`:
        read only (this works on a full disk too). `damaged_ok`: open a damaged journal so that `readable()`
        can rescue what is left; `damage` then says what is wrong."""
        self.path = Path(path).expanduser().absolute()
        self.keep_audio = keep_audio
        self.clips_dir = self.path.with_name(self.path.stem + "-clips")
        self.unsaved_path = self.path.with_name(self.path.stem + "-unsaved.txt")
        self._reserve = self.path.with_name(f".{self.path.stem}-reserve")   # room for unsaved_path on a full disk
        self._lock = threading.RLock()
        self.damage: str | None = None
        try:
            self._check_files(create)
            self._db = self._connect(writable)
        except FileNotFoundError:
            raise GlimmerError(f"there is no journal at {self.path}; check the path (--journal), "
                               "or add a glimmer to start one") from None
        except OSError as err:
            raise GlimmerError(f"cannot open the journal at {self.path}: {err.strerror}; "
                               "check the folder exists and is yours, or pass --journal PATH") from None
        try:
            if writable:
                self._configure()
            self.damage = find_damage(self._db)
            if self.damage and not damaged_ok:
                raise GlimmerError(self._damaged_advice())
            if writable:
                self._migrate()
            elif self._version() < len(MIGRATIONS):
                raise GlimmerError(f"there is no journal at {self.path} yet; check the path (--journal), "
                                   "or add a glimmer to start one")
            if writable:
                self._sweep_orphan_clips()
                hold_reserve(self._reserve)
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise GlimmerError(self._unreadable(err)) from None
        except BaseException:
            self._db.close()
            raise

    def _check_files(self, create: bool) -> None:
        """The folder is private and ours; the journal and its -wal/-shm are our own regular files, not links."""
        private_folder(self.path.parent, create=create)
        os.close(open_own_file(self.path, create=create))
        for sidecar in ("-wal", "-shm"):
            if os.path.lexists(f"{self.path}{sidecar}"):
                os.close(open_own_file(Path(f"{self.path}{sidecar}"), create=False))

    def _connect(self, writable: bool) -> sqlite3.Connection:
        if writable:
            return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=15)
        uri = f"file:{quote(str(self.path))}?mode=ro"
        db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=15)
        try:
            db.execute("PRAGMA user_version").fetchone()   # maps the -shm file, which a full disk may refuse
        except sqlite3.OperationalError as err:
            db.close()
            wal = Path(f"{self.path}-wal")
            if not _out_of_space(err, self.path.parent) or (wal.exists() and wal.stat().st_size):
                raise
            # Nothing waits in the WAL, so the main file alone is the whole journal: read it as it is.
            db = sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
        return db

    def _unreadable(self, err: sqlite3.DatabaseError) -> str:
        if _out_of_space(err, self.path.parent):
            return (f"the disk holding the journal at {self.path} is full; free some space "
                    "(remove files you do not need), then try again")
        if getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_CORRUPT:
            return self._damaged_advice()
        return (f"the journal at {self.path} cannot be read ({err}); "
                "it is left untouched — keep a copy before trying anything else")

    def _damaged_advice(self) -> str:
        copy = self.path.with_name(self.path.name + ".copy")
        return (f"the journal at {self.path} is damaged ({self.damage or 'malformed'}); leave it as it is, "
                f"copy it (cp {self.path} {copy}) and run 'glimmer --journal {copy} journal export "
                "--out glimmers.json' to keep every glimmer that can still be read")

    @classmethod
    def open(cls, path: str | Path, *, keep_audio: bool = False) -> Journal:
        """Open (creating if needed) the journal at `path`."""
        return cls(path, keep_audio=keep_audio)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (SQLite checkpoints the WAL into the main file)."""
        with self._lock:
            self._db.close()

    def _configure(self) -> None:
        mode = self._wal_mode()
        if mode.lower() != "wal":
            raise sqlite3.DatabaseError(f"journal mode is {mode}, not wal")
        self._db.execute("PRAGMA synchronous=FULL")      # fsync the WAL on every commit
        self._db.execute("PRAGMA secure_delete=ON")      # deleted text is overwritten, not left in free pages

    def _wal_mode(self) -> str:
        """Switch to WAL; while another process creates the file the switch can be refused at once, so retry."""
        deadline = time.monotonic() + 15
        while True:
            try:
                return self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _migrate(self) -> None:
        if self._version() == len(MIGRATIONS):
            return
        with self._transaction():   # re-read under the write lock: another process may have just migrated
            version = self._version()
            for target in range(version + 1, len(MIGRATIONS) + 1):
                for statement in _statements(MIGRATIONS[target - 1]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {target}")

    def _version(self) -> int:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise GlimmerError(f"the journal at {self.path} was written by a newer Glimmer "
                               f"(schema {version}); update Glimmer to open it")
        return version

    def _transaction(self, *, commit: bool = True) -> _Transaction:
        return _Transaction(self._db, commit=commit)

    @contextmanager
    def _writing(self, what: str, *, commit: bool = True) -> Iterator[None]:
        """One write transaction under the lock (rolled back at the end when not `commit`); a failed write or
        commit becomes NotSaved, saying why in plain words."""
        try:
            with self._lock, self._transaction(commit=commit):
                yield
        except sqlite3.Error as err:
            full = _out_of_space(err, self.path.parent)
            why = "the disk holding the journal is full" if full else f"the journal could not be written ({err})"
            raise NotSaved(f"{what} was not saved: {why}", full=full) from None

    # -- writing ---------------------------------------------------------------------------------------

    def add(self, text: str, *, practice: str | None = None, senses: Sequence[str] = (),
            calm_before: int | None = None, calm_after: int | None = None,
            confidence: float | None = None, audio: Any = None, created: datetime | None = None) -> int:
        """Save a glimmer durably and return its id. `audio` (int16 16 kHz samples) is kept only with keep_audio."""
        text = text.strip()
        if not text:
            raise GlimmerError("a glimmer needs at least one word")
        if created is None or created.tzinfo is None:
            created = (created or datetime.now()).astimezone()
        try:
            with self._writing("the glimmer"):
                entry_id = self._insert(None, created, text, practice, senses, calm_before, calm_after,
                                        None, confidence, None, 0)
                if audio is not None and self.keep_audio:
                    try:
                        clip = self._write_clip(entry_id, audio)
                    except OSError as err:   # the words matter more than the recording: keep them anyway
                        log.warning("glimmer %d kept without its audio clip: %s", entry_id, err)
                    else:
                        self._db.execute("UPDATE entries SET audio_path = ? WHERE id = ?", (str(clip), entry_id))
        except NotSaved as err:
            err.kept = self.keep_unsaved([text])
            raise
        return entry_id

    def keep_unsaved(self, texts: Sequence[str]) -> Path | None:
        """Keep words that could not be saved in the private side file beside the journal; None if that fails too."""
        self._reserve.unlink(missing_ok=True)
        try:
            path = keep_unsaved(self.unsaved_path, texts)
        except OSError as err:
            log.info("could not keep unsaved words in %s either: %s", self.unsaved_path, err.strerror)
            return None
        log.info("words that could not be saved are in %s", path)
        return path

    def put_all(self, entries: Sequence[Entry], *, dry_run: bool = False) -> list[int | None]:
        """Store entries from an export in one transaction: all of them, or none if any fails.

        Each keeps its id when free and all its fields; one with the same moment and words as an entry already
        kept (or earlier in `entries`) is skipped: None in its place. An audio path is kept only when it names
        an existing clip of this journal. With `dry_run` the transaction is rolled back: the ids say what would be.
        A failed write (a full disk) is NotSaved and leaves the journal as it was; the words are still in the file
        being imported, so nothing goes to the side file.
        """
        glimmers = "one glimmer" if len(entries) == 1 else f"{len(entries)} glimmers"
        with self._writing(f"the import ({glimmers})", commit=not dry_run):
            return [self._put(entry) for entry in entries]

    def _put(self, entry: Entry) -> int | None:
        if self._db.execute("SELECT 1 FROM entries WHERE created_utc = ? AND text = ?",
                            (_utc_text(entry.created), entry.text)).fetchone():
            return None
        audio = entry.audio_path if entry.audio_path and self._own_clip(Path(entry.audio_path)) else None
        taken = self._db.execute("SELECT 1 FROM entries WHERE id = ?", (entry.id,)).fetchone()
        return self._insert(None if taken else entry.id, entry.created, entry.text, entry.practice,
                            entry.senses, entry.calm_before, entry.calm_after, audio, entry.confidence,
                            entry.last_replayed, entry.replay_count)

    def _insert(self, entry_id: int | None, created: datetime, text: str, practice: str | None,
                senses: Sequence[str], calm_before: int | None, calm_after: int | None, audio: str | None,
                confidence: float | None, last_replayed: datetime | None, replay_count: int) -> int:
        for name, value in (("calm before", calm_before), ("calm after", calm_after)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10):
                raise GlimmerError(f"{name} must be a whole number from 0 to 10, not {value!r}")
        offset = created.utcoffset() or timedelta(0)
        cur = self._db.execute(
            f"INSERT INTO entries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, _utc_text(created), int(offset.total_seconds()), text, practice or None,
             json.dumps(_clean_senses(senses)), calm_before, calm_after, audio, confidence,
             _utc_text(last_replayed) if last_replayed else None, replay_count))
        assert cur.lastrowid is not None   # set by every INSERT
        return cur.lastrowid

    def _write_clip(self, entry_id: int, audio: Any) -> Path:
        from assistant.audio.wav import write_wav   # numpy only when a clip is kept

        make_private_dirs(self.clips_dir)
        clip = write_wav(self.clips_dir / f"{entry_id}.wav", audio)
        fd = os.open(clip, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return clip

    def mark_replayed(self, entry_id: int, when: datetime | None = None) -> Entry | None:
        """Record that the entry was just played back; returns it (None if it does not exist).

        The glimmer matters more than its replay count: when that cannot be written, it is only logged.
        """
        when = when or datetime.now(timezone.utc)
        try:
            with self._writing("the replay"):
                self._db.execute("UPDATE entries SET last_replayed = ?, replay_count = replay_count + 1 "
                                 "WHERE id = ?", (_utc_text(when), entry_id))
        except NotSaved as err:
            log.warning("glimmer %d: %s", entry_id, err)
        return self.get(entry_id)

    def delete(self, entry_id: int) -> bool:
        """Remove the entry, its search index data and its audio clip, leaving no trace in the files."""
        if not _fits_sqlite(entry_id):
            return False
        with self._lock:
            row = self._db.execute("SELECT audio_path FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if row is None:
                return False
            with self._writing(f"the deletion of glimmer {entry_id}"):
                self._db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
            if row[0] and self._own_clip(Path(row[0])):
                Path(row[0]).unlink(missing_ok=True)
            try:
                self._scrub()
            except sqlite3.Error as err:
                log.warning("glimmer %d is deleted, but tidying its words out of the files failed: %s", entry_id, err)
        return True

    def _scrub(self) -> None:
        """Merge the search index (dropping deleted words) and fold the WAL into the file, then empty it."""
        self._db.execute("INSERT INTO entries_fts(entries_fts) VALUES ('optimize')")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _own_clip(self, path: Path) -> bool:
        return path.parent == self.clips_dir and path.is_file()

    def _sweep_orphan_clips(self) -> None:
        """Remove clips whose entry was never committed (a crash between writing the clip and the commit).

        Only clips older than an hour: a younger one may belong to another process's open transaction.
        """
        if not self.clips_dir.is_dir():
            return
        kept = {row[0] for row in self._db.execute("SELECT audio_path FROM entries WHERE audio_path IS NOT NULL")}
        cutoff = time.time() - 3600
        for clip in self.clips_dir.iterdir():
            try:
                if str(clip) not in kept and clip.stat().st_mtime < cutoff:
                    clip.unlink()
            except FileNotFoundError:
                continue   # another process removed it first

    # -- reading ---------------------------------------------------------------------------------------

    def get(self, entry_id: int) -> Entry | None:
        """The entry with this id, or None."""
        if not _fits_sqlite(entry_id):
            return None
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def list(self, *, limit: int | None = None, oldest_first: bool = False) -> list[Entry]:
        """Entries, newest first (or oldest first)."""
        order = "ASC" if oldest_first else "DESC"
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY created_utc {order}, id {order} "
                                    "LIMIT ?", (-1 if limit is None else limit,)).fetchall()
        return [_entry(row) for row in rows]

    def search(self, query: str, *, limit: int | None = None) -> builtins.list[Entry]:
        """Entries whose words (or practice, or senses) match every word of `query`, best match first.

        Plain words only: punctuation is ignored, each word also matches as a prefix ("sun" finds "sunlight").
        """
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " ".join(f'"{word}"*' for word in words)
        columns = ", ".join(f"e.{c.strip()}" for c in _COLUMNS.split(","))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {columns} FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
                "WHERE entries_fts MATCH ? ORDER BY entries_fts.rank, e.created_utc DESC LIMIT ?",
                (match, -1 if limit is None else limit)).fetchall()
        return [_entry(row) for row in rows]

    def readable(self) -> tuple[builtins.list[Entry], bool]:
        """Every entry that can still be read, by id, and whether some could not be (for a damaged journal).

        Unreadable stretches of the table are stepped over: the next readable id is found by probing further
        ahead, then narrowing back, so entries just after a damaged page are not lost with it.
        """
        entries: list[Entry] = []
        lost, after = False, _MIN_ID
        with self._lock:
            while True:
                try:
                    row = self._next_row(after)
                except sqlite3.DatabaseError:
                    lost = True
                    after = self._first_readable_after(after)
                    continue
                if row is None:
                    return entries, lost
                try:
                    entries.append(_entry(row))
                except (TypeError, ValueError):
                    lost = True
                after = row[0]

    def _next_row(self, after: int) -> Sequence[Any] | None:
        if after >= _MAX_ID:
            return None
        return self._db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id > ? ORDER BY id LIMIT 1",
                                (after,)).fetchone()

    def _first_readable_after(self, bad: int) -> int:
        """The smallest id past `bad` from which the table can be read on (the largest id if none)."""
        step, good = 1, _MAX_ID
        while bad + step < _MAX_ID:
            try:
                self._next_row(bad + step)
            except sqlite3.DatabaseError:
                step *= 2
                continue
            good = bad + step
            break
        low = bad + step // 2
        while good - low > 1:
            middle = (low + good) // 2
            try:
                self._next_row(middle)
            except sqlite3.DatabaseError:
                low = middle
            else:
                good = middle
        return good

    def check(self) -> None:
        """Raise GlimmerError unless the database and its search index are intact."""
        with self._lock:
            result = self._db.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise GlimmerError(f"the journal at {self.path} is damaged: {result}")
            try:
                self._db.execute("INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as err:
                raise GlimmerError(f"the journal's search index is damaged ({err})") from None


def pick_for_replay(journal: Journal, *, now: datetime | None = None, rng: Any = None) -> Entry | None:
    """Pick a past glimmer to speak again, favouring ones not heard for a while, and mark it as replayed.

    Never-heard glimmers weigh the most; a glimmer heard d days ago weighs about d (capped at 60); the one
    heard last is not picked again straight away unless it is the only one. None when the journal is empty.
    """
    import random

    now = now or datetime.now(timezone.utc)
    entries = journal.list()
    if not entries:
        return None
    heard = [e for e in entries if e.last_replayed]
    if len(entries) > 1 and heard:
        latest = max(heard, key=lambda e: e.last_replayed or now)   # all of `heard` were replayed
        entries = [e for e in entries if e.id != latest.id]
    weights = [_replay_weight(e, now) for e in entries]
    chosen = (rng or random).choices(entries, weights=weights, k=1)[0]
    return journal.mark_replayed(chosen.id, now)


_CAP_DAYS = 60.0


def _replay_weight(entry: Entry, now: datetime) -> float:
    if entry.last_replayed is None:
        return _CAP_DAYS
    days = (now - entry.last_replayed).total_seconds() / 86400
    return 0.05 + min(max(days, 0.0), _CAP_DAYS)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (including KeyboardInterrupt), or always when not `commit`."""

    def __init__(self, db: sqlite3.Connection, *, commit: bool = True) -> None:
        self._db = db
        self._commit = commit

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None and self._commit:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            self._db.execute("ROLLBACK")


_MIN_ID, _MAX_ID = -(2 ** 63), 2 ** 63 - 1


def _fits_sqlite(entry_id: int) -> bool:
    """Whether `entry_id` fits SQLite's 64-bit integers (a larger number names no glimmer)."""
    return _MIN_ID <= entry_id <= _MAX_ID


def _out_of_space(err: sqlite3.Error, folder: Path) -> bool:
    """Whether `err` comes from a full disk: SQLITE_FULL, or an I/O error while the folder has no room left."""
    code = getattr(err, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL:
        return True
    if code is None or code & 0xFF != sqlite3.SQLITE_IOERR:
        return False
    room = os.statvfs(folder)
    return room.f_bavail * room.f_frsize < 1 << 20


def find_damage(db: sqlite3.Connection) -> str | None:
    """The first problem PRAGMA quick_check finds, or None when the file is sound."""
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as err:
        if getattr(err, "sqlite_errorcode", None) != sqlite3.SQLITE_CORRUPT:
            raise
        return str(err)
    if rows == [("ok",)]:
        return None
    lines = [line for row in rows for line in row[0].splitlines() if not line.startswith("***")]
    return lines[0] if lines else "the check failed"


def _entry(row: Sequence[Any]) -> Entry:
    local = timezone(timedelta(seconds=row[2]))
    return Entry(id=row[0], created=datetime.fromisoformat(row[1]).astimezone(local), text=row[3],
                 practice=row[4], senses=tuple(json.loads(row[5])), calm_before=row[6], calm_after=row[7],
                 audio_path=row[8], confidence=row[9],
                 last_replayed=datetime.fromisoformat(row[10]) if row[10] else None, replay_count=row[11])


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _clean_senses(senses: Sequence[str]) -> list[str]:
    if isinstance(senses, str):
        senses = [senses]
    return list(dict.fromkeys(s.strip().lower() for s in senses if s and s.strip()))


def _statements(script: str) -> list[str]:
    """Split a migration script into complete statements (triggers contain inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
