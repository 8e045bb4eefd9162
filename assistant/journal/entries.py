"""One glimmer: the Entry, and how it is written to and read from a row of the entries table."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from assistant.errors import GlimmerError

COLUMNS = ("id, created_utc, utc_offset_s, text, practice, senses, calm_before, calm_after, "
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


def insert_entry(db: sqlite3.Connection, entry_id: int | None, created: datetime, text: str,
                 practice: str | None, senses: Sequence[str], calm_before: int | None, calm_after: int | None,
                 audio: str | None, confidence: float | None, last_replayed: datetime | None,
                 replay_count: int) -> int:
    """Insert one row (a new id when `entry_id` is None) and return its id; calm ratings must be 0-10."""
    for name, value in (("calm before", calm_before), ("calm after", calm_after)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10):
            raise GlimmerError(f"{name} must be a whole number from 0 to 10, not {value!r}")
    offset = created.utcoffset() or timedelta(0)
    cur = db.execute(
        f"INSERT INTO entries ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (entry_id, utc_text(created), int(offset.total_seconds()), text, practice or None,
         json.dumps(_clean_senses(senses)), calm_before, calm_after, audio, confidence,
         utc_text(last_replayed) if last_replayed else None, replay_count))
    assert cur.lastrowid is not None  # an INSERT always sets it
    return cur.lastrowid


def entry_from_row(row: Sequence[Any]) -> Entry:
    """The Entry in a row of COLUMNS."""
    local = timezone(timedelta(seconds=row[2]))
    return Entry(id=row[0], created=datetime.fromisoformat(row[1]).astimezone(local), text=row[3],
                 practice=row[4], senses=tuple(json.loads(row[5])), calm_before=row[6], calm_after=row[7],
                 audio_path=row[8], confidence=row[9],
                 last_replayed=datetime.fromisoformat(row[10]) if row[10] else None, replay_count=row[11])


def utc_text(moment: datetime) -> str:
    """A moment as the table keeps it: ISO 8601 in UTC with microseconds, so that it sorts as text."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _clean_senses(senses: Sequence[str]) -> list[str]:
    if isinstance(senses, str):
        senses = [senses]
    return list(dict.fromkeys(s.strip().lower() for s in senses if s and s.strip()))
