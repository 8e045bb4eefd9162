"""The journal's schema: numbered migrations (PRAGMA user_version), applied once under the write lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.errors import GlimmerError
from assistant.journal.database import Transaction

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


def schema_version(db: sqlite3.Connection, path: Path) -> int:
    """The journal's schema version; a GlimmerError when a newer Glimmer wrote it."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise GlimmerError(f"the journal at {path} was written by a newer Glimmer "
                           f"(schema {version}); update Glimmer to open it")
    return version


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the journal at `path` up to the newest schema."""
    if schema_version(db, path) == len(MIGRATIONS):
        return
    with Transaction(db):   # re-read under the write lock: another process may have just migrated
        version = schema_version(db, path)
        for target in range(version + 1, len(MIGRATIONS) + 1):
            for statement in _statements(MIGRATIONS[target - 1]):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {target}")


def _statements(script: str) -> list[str]:
    """Split a migration script into complete statements (triggers contain inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
