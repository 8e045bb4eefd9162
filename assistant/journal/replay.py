"""Resurfacing: which past glimmer to speak again."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

from assistant.journal.entries import Entry
from assistant.journal.store import Journal

_CAP_DAYS = 60.0


def pick_for_replay(journal: Journal, *, now: datetime | None = None, rng: Any = None) -> Entry | None:
    """Pick a past glimmer to speak again, favouring ones not heard for a while, and mark it as replayed.

    Never-heard glimmers weigh the most; a glimmer heard d days ago weighs about d (capped at 60); the one
    heard last is not picked again straight away unless it is the only one. None when the journal is empty.
    """
    now = now or datetime.now(timezone.utc)
    entries = journal.list()
    if not entries:
        return None
    heard = [e for e in entries if e.last_replayed]
    if len(entries) > 1 and heard:
        latest = max(heard, key=lambda e: e.last_replayed or now)
        entries = [e for e in entries if e.id != latest.id]
    weights = [_replay_weight(e, now) for e in entries]
    chosen = (rng or random).choices(entries, weights=weights, k=1)[0]
    return journal.mark_replayed(chosen.id, now)


def _replay_weight(entry: Entry, now: datetime) -> float:
    if entry.last_replayed is None:
        return _CAP_DAYS
    days = (now - entry.last_replayed).total_seconds() / 86400
    return 0.05 + min(max(days, 0.0), _CAP_DAYS)
