"""Whether the journal at a path can be opened, found by reading only: `glimmer doctor` changes nothing."""

import os
import sqlite3
from pathlib import Path

from assistant.errors import GlimmerError
from assistant.journal.database import find_damage
from assistant.journal.files import check_own_file, private_folder
from assistant.journal.schema import MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
ELSEWHERE = "choose another path with --journal or journal.path"


def journal_health(path: Path) -> tuple[bool, str]:
    """(True, what it holds) when `run` can use the journal at `path`; else (False, what is wrong and what to do)."""
    if path.is_dir() and not path.is_symlink():
        return False, f"journal: {path} is a folder, not a journal file; {ELSEWHERE} (e.g. {path / 'journal.db'})"
    folder = path.parent
    try:   # what Journal refuses: a folder others own or can write, links and files of others (only looked at)
        if folder.is_dir():
            private_folder(folder, create=False)
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if os.path.lexists(name):
                check_own_file(name)
    except GlimmerError as err:
        return False, f"journal: {err}"
    if not path.exists():
        probe = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path("/"))
        if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
            return False, f"journal: cannot create {path} (cannot write to {probe}); {ELSEWHERE}"
        return True, f"journal: {path} (writable)"
    if not os.access(path, os.R_OK | os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        return False, f"journal: {path} cannot be written by this user; fix its owner, or {ELSEWHERE}"
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as err:
        return False, f"journal: {path} cannot be read ({err.strerror}); {ELSEWHERE}"
    if not header:
        return True, f"journal: {path} (empty, writable)"
    if header != SQLITE_HEADER:
        return False, (f"journal: {path} is not a Glimmer journal (not an SQLite database); it is left as it is: "
                       f"move it aside, or {ELSEWHERE}")
    return _database_health(path)


def _database_health(path: Path) -> tuple[bool, str]:
    try:
        wal = Path(f"{path}-wal")
        # With nothing waiting in a WAL the main file is the whole journal: read it as immutable, so that not
        # even a -wal or -shm file is made beside it.
        still = "" if wal.exists() and wal.stat().st_size else "&immutable=1"
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro{still}", uri=True)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            damage = find_damage(db)
            count = db.execute("SELECT count(*) FROM entries").fetchone()[0] if version and not damage else 0
        finally:
            db.close()
    except sqlite3.Error as err:
        return False, f"journal: {path} cannot be read ({err}); keep a copy, then {ELSEWHERE}"
    if version > len(MIGRATIONS):
        return False, f"journal: {path} was written by a newer Glimmer (schema {version}); update Glimmer"
    if damage:
        return False, (f"journal: {path} is damaged ({damage}); leave it as it is, copy it and run "
                       "'glimmer --journal COPY journal export --out glimmers.json' to keep what can still be read")
    return True, f"journal: {path} ({count} glimmer(s), writable)"
