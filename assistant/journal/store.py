"""The journal store: one private SQLite file (WAL, durable commits, versioned schema, FTS5 search).

The file underneath is `database`, the schema `schema`, a row `entries`, reading `queries`, the audio clips
`clips`, resurfacing `replay`.
"""

from __future__ import annotations

import builtins
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Sequence

from assistant.errors import GlimmerError
from assistant.journal import queries
from assistant.journal.clips import is_own_clip, sweep_orphan_clips, write_clip
from assistant.journal.database import Transaction, connect, find_damage, fits_sqlite, make_durable, out_of_space
from assistant.journal.entries import Entry, insert_entry, utc_text
from assistant.journal.files import hold_reserve, keep_unsaved, open_own_file, private_folder
from assistant.journal.schema import MIGRATIONS, migrate, schema_version

log = logging.getLogger(__name__)


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
            self._db = connect(self.path, writable)
        except FileNotFoundError:
            raise GlimmerError(f"there is no journal at {self.path}; check the path (--journal), "
                               "or add a glimmer to start one") from None
        except OSError as err:
            raise GlimmerError(f"cannot open the journal at {self.path}: {err.strerror}; "
                               "check the folder exists and is yours, or pass --journal PATH") from None
        try:
            if writable:
                make_durable(self._db)
            self.damage = find_damage(self._db)
            if self.damage and not damaged_ok:
                raise GlimmerError(self._damaged_advice())
            if writable:
                migrate(self._db, self.path)
            elif schema_version(self._db, self.path) < len(MIGRATIONS):
                raise GlimmerError(f"there is no journal at {self.path} yet; check the path (--journal), "
                                   "or add a glimmer to start one")
            if writable:
                sweep_orphan_clips(self._db, self.clips_dir)
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

    def _unreadable(self, err: sqlite3.DatabaseError) -> str:
        if out_of_space(err, self.path.parent):
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

    @contextmanager
    def _writing(self, what: str, *, commit: bool = True) -> Iterator[None]:
        """One write transaction under the lock (rolled back at the end when not `commit`); a failed write or
        commit becomes NotSaved, saying why in plain words."""
        try:
            with self._lock, Transaction(self._db, commit=commit):
                yield
        except sqlite3.Error as err:
            full = out_of_space(err, self.path.parent)
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
                entry_id = insert_entry(self._db, None, created, text, practice, senses, calm_before,
                                        calm_after, None, confidence, None, 0)
                if audio is not None and self.keep_audio:
                    try:
                        clip = write_clip(self.clips_dir, entry_id, audio)
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
                            (utc_text(entry.created), entry.text)).fetchone():
            return None
        audio = entry.audio_path if entry.audio_path and is_own_clip(self.clips_dir, Path(entry.audio_path)) else None
        taken = self._db.execute("SELECT 1 FROM entries WHERE id = ?", (entry.id,)).fetchone()
        return insert_entry(self._db, None if taken else entry.id, entry.created, entry.text,
                            entry.practice, entry.senses, entry.calm_before, entry.calm_after, audio,
                            entry.confidence, entry.last_replayed, entry.replay_count)

    def mark_replayed(self, entry_id: int, when: datetime | None = None) -> Entry | None:
        """Record that the entry was just played back; returns it (None if it does not exist).

        The glimmer matters more than its replay count: when that cannot be written, it is only logged.
        """
        when = when or datetime.now(timezone.utc)
        try:
            with self._writing("the replay"):
                self._db.execute("UPDATE entries SET last_replayed = ?, replay_count = replay_count + 1 "
                                 "WHERE id = ?", (utc_text(when), entry_id))
        except NotSaved as err:
            log.warning("glimmer %d: %s", entry_id, err)
        return self.get(entry_id)

    def delete(self, entry_id: int) -> bool:
        """Remove the entry, its search index data and its audio clip, leaving no trace in the files."""
        if not fits_sqlite(entry_id):
            return False
        with self._lock:
            row = self._db.execute("SELECT audio_path FROM entries WHERE id = ?", (entry_id,)).fetchone()
            if row is None:
                return False
            with self._writing(f"the deletion of glimmer {entry_id}"):
                self._db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
            if row[0] and is_own_clip(self.clips_dir, Path(row[0])):
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

    # -- reading ---------------------------------------------------------------------------------------

    def get(self, entry_id: int) -> Entry | None:
        """The entry with this id, or None."""
        with self._lock:
            return queries.get_entry(self._db, entry_id)

    def list(self, *, limit: int | None = None, oldest_first: bool = False) -> list[Entry]:
        """Entries, newest first (or oldest first)."""
        with self._lock:
            return queries.list_entries(self._db, limit=limit, oldest_first=oldest_first)

    def search(self, query: str, *, limit: int | None = None) -> builtins.list[Entry]:
        """Entries whose words (or practice, or senses) match every word of `query`, best match first
        (plain words, each also as a prefix: "sun" finds "sunlight")."""
        with self._lock:
            return queries.search_entries(self._db, query, limit=limit)

    def readable(self) -> tuple[builtins.list[Entry], bool]:
        """Every entry that can still be read, by id, and whether some could not be (for a damaged journal)."""
        with self._lock:
            return queries.readable_entries(self._db)

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
