"""Whether the journal at a path can be opened, found by reading only: `glimmer doctor` changes nothing."""

import os
import sqlite3
from pathlib import Path

from assistant.journal.store import MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"
ELSEWHERE = "choose another path with --journal or journal.path"


def journal_health(path: Path) -> tuple[bool, str]:
    """(True, what it holds) when `run` can use the journal at `path`; else (False, what is wrong and what to do)."""
    if path.is_dir():
        return False, f"journal: {path} is a folder, not a journal file; {ELSEWHERE} (e.g. {path / 'journal.db'})"
    folder = path.parent
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
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            damage = db.execute("PRAGMA quick_check").fetchone()[0]
            count = db.execute("SELECT count(*) FROM entries").fetchone()[0] if version else 0
        finally:
            db.close()
    except sqlite3.Error as err:
        return False, f"journal: {path} cannot be read ({err}); keep a copy, then {ELSEWHERE}"
    if version > len(MIGRATIONS):
        return False, f"journal: {path} was written by a newer Glimmer (schema {version}); update Glimmer"
    if damage != "ok":
        return False, f"journal: {path} is damaged ({damage}); keep a copy, then {ELSEWHERE}"
    return True, f"journal: {path} ({count} glimmer(s), writable)"
