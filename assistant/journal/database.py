"""The SQLite file under the journal: opening it (WAL, durable commits), transactions, full disks and damage."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

MIN_ID, MAX_ID = -(2 ** 63), 2 ** 63 - 1


def connect(path: Path, writable: bool) -> sqlite3.Connection:
    """A connection to the journal file; read only when not `writable` (this works on a full disk too)."""
    if writable:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=15)
    uri = f"file:{quote(str(path))}?mode=ro"
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=15)
    try:
        db.execute("PRAGMA user_version").fetchone()   # maps the -shm file, which a full disk may refuse
    except sqlite3.OperationalError as err:
        db.close()
        wal = Path(f"{path}-wal")
        if not out_of_space(err, path.parent) or (wal.exists() and wal.stat().st_size):
            raise
        # Nothing waits in the WAL, so the main file alone is the whole journal: read it as it is.
        db = sqlite3.connect(f"{uri}&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    return db


def make_durable(db: sqlite3.Connection) -> None:
    """WAL, an fsync on every commit, and deleted text overwritten rather than left in free pages."""
    mode = _wal_mode(db)
    if mode.lower() != "wal":
        raise sqlite3.DatabaseError(f"journal mode is {mode}, not wal")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA secure_delete=ON")


def _wal_mode(db: sqlite3.Connection) -> str:
    """Switch to WAL; while another process creates the file the switch can be refused at once, so retry."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Transaction:
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


def fits_sqlite(entry_id: int) -> bool:
    """Whether `entry_id` fits SQLite's 64-bit integers (a larger number names no glimmer)."""
    return MIN_ID <= entry_id <= MAX_ID


def out_of_space(err: sqlite3.Error, folder: Path) -> bool:
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
