"""Reading the journal: one entry, the list, full-text search, and what a damaged table still holds."""

from __future__ import annotations

import re
import sqlite3
from typing import Any, Sequence

from assistant.journal.database import MAX_ID, MIN_ID, fits_sqlite
from assistant.journal.entries import COLUMNS, Entry, entry_from_row


def get_entry(db: sqlite3.Connection, entry_id: int) -> Entry | None:
    """The entry with this id, or None."""
    if not fits_sqlite(entry_id):
        return None
    row = db.execute(f"SELECT {COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
    return entry_from_row(row) if row else None


def list_entries(db: sqlite3.Connection, *, limit: int | None = None, oldest_first: bool = False) -> list[Entry]:
    """Entries, newest first (or oldest first)."""
    order = "ASC" if oldest_first else "DESC"
    rows = db.execute(f"SELECT {COLUMNS} FROM entries ORDER BY created_utc {order}, id {order} "
                      "LIMIT ?", (-1 if limit is None else limit,)).fetchall()
    return [entry_from_row(row) for row in rows]


def search_entries(db: sqlite3.Connection, query: str, *, limit: int | None = None) -> list[Entry]:
    """Entries whose words (or practice, or senses) match every word of `query`, best match first.

    Plain words only: punctuation is ignored, each word also matches as a prefix ("sun" finds "sunlight").
    """
    words = re.findall(r"\w+", query)
    if not words:
        return []
    match = " ".join(f'"{word}"*' for word in words)
    columns = ", ".join(f"e.{c.strip()}" for c in COLUMNS.split(","))
    rows = db.execute(
        f"SELECT {columns} FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid "
        "WHERE entries_fts MATCH ? ORDER BY entries_fts.rank, e.created_utc DESC LIMIT ?",
        (match, -1 if limit is None else limit)).fetchall()
    return [entry_from_row(row) for row in rows]


def readable_entries(db: sqlite3.Connection) -> tuple[list[Entry], bool]:
    """Every entry that can still be read, by id, and whether some could not be (for a damaged journal).

    Unreadable stretches of the table are stepped over: the next readable id is found by probing further
    ahead, then narrowing back, so entries just after a damaged page are not lost with it.
    """
    entries: list[Entry] = []
    lost, after = False, MIN_ID
    while True:
        try:
            row = _next_row(db, after)
        except sqlite3.DatabaseError:
            lost = True
            after = _first_readable_after(db, after)
            continue
        if row is None:
            return entries, lost
        try:
            entries.append(entry_from_row(row))
        except (TypeError, ValueError):
            lost = True
        after = row[0]


def _next_row(db: sqlite3.Connection, after: int) -> Sequence[Any] | None:
    if after >= MAX_ID:
        return None
    return db.execute(f"SELECT {COLUMNS} FROM entries WHERE id > ? ORDER BY id LIMIT 1", (after,)).fetchone()


def _first_readable_after(db: sqlite3.Connection, bad: int) -> int:
    """The smallest id past `bad` from which the table can be read on (the largest id if none)."""
    step, good = 1, MAX_ID
    while bad + step < MAX_ID:
        try:
            _next_row(db, bad + step)
        except sqlite3.DatabaseError:
            step *= 2
            continue
        good = bad + step
        break
    low = bad + step // 2
    while good - low > 1:
        middle = (low + good) // 2
        try:
            _next_row(db, middle)
        except sqlite3.DatabaseError:
            low = middle
        else:
            good = middle
    return good
