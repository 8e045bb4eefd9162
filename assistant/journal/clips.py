"""Audio clips kept beside the journal (only with keep_audio): written durably, owned, swept when orphaned."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from assistant.journal.files import make_private_dirs


def write_clip(clips_dir: Path, entry_id: int, audio: Any) -> Path:
    """`audio` (int16 16 kHz samples) as <clips_dir>/<entry_id>.wav, on disk before this returns."""
    from assistant.audio.wav import write_wav  # numpy only when a clip is kept

    make_private_dirs(clips_dir)
    clip = write_wav(clips_dir / f"{entry_id}.wav", audio)
    fd = os.open(clip, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return clip


def is_own_clip(clips_dir: Path, path: Path) -> bool:
    """Whether `path` is an existing clip of this journal (never a file elsewhere)."""
    return path.parent == clips_dir and path.is_file()


def sweep_orphan_clips(db: sqlite3.Connection, clips_dir: Path) -> None:
    """Remove clips whose entry was never committed (a crash between writing the clip and the commit).

    Only clips older than an hour: a younger one may belong to another process's open transaction.
    """
    if not clips_dir.is_dir():
        return
    kept = {row[0] for row in db.execute("SELECT audio_path FROM entries WHERE audio_path IS NOT NULL")}
    cutoff = time.time() - 3600
    for clip in clips_dir.iterdir():
        try:
            if str(clip) not in kept and clip.stat().st_mtime < cutoff:
                clip.unlink()
        except FileNotFoundError:
            continue   # another process removed it first
