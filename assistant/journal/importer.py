"""Read a json or csv export back: every entry checked before any is kept, each problem one line naming its row."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from assistant.errors import GlimmerError
from assistant.journal.entries import Entry
from assistant.journal.export import restore_formula

YEARS = (1900, 2999)
MAX_ID = 2**53 - 1                  # exact as a number in every JSON reader, and far from SQLite's limit
_WHOLE = re.compile(r"[+-]?[0-9]{1,20}")
_DECIMAL = re.compile(r"[+-]?([0-9]{1,20}(\.[0-9]{0,20})?|\.[0-9]{1,20})([eE][+-]?[0-9]{1,3})?")
_REQUIRED = ("id", "created", "text")


@dataclass(frozen=True)
class Export:
    """What a file holds: the entries that can be kept, and one line (file, row, why) for each that cannot."""

    entries: list[Entry]
    rejects: list[str]

    @property
    def total(self) -> int:
        return len(self.entries) + len(self.rejects)


def read_export(name: str, data: bytes) -> Export:
    """The entries in `data`, a json export (or csv when `name` ends in .csv) read from the file `name`.

    GlimmerError when the file as a whole cannot be read; a row that cannot be kept is a reject instead.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise GlimmerError(f"{name}: not UTF-8 text (byte {data[err.start]:#04x} at offset {err.start}); import "
                           "the file as 'glimmer journal export' wrote it, or save it as UTF-8") from None
    rows = _csv_rows(name, text) if name.lower().endswith(".csv") else _json_rows(name, text)
    entries, rejects = [], []
    for where, row in rows:
        try:
            if not isinstance(row, dict):
                raise GlimmerError(f"not an entry: expected an object with id, created and text, not {_shown(row)}")
            entries.append(entry_from_dict(row))
        except GlimmerError as err:
            rejects.append(f"{name} {where}: {err}")
    return Export(entries, rejects)


def entry_from_dict(data: dict[str, Any]) -> Entry:
    """The inverse of export.entry_to_dict; only `id`, `created` and `text` are required.

    GlimmerError (one line) names the first field that cannot be kept.
    """
    text = _string(data, "text")
    if text is None:
        raise GlimmerError("text is missing")
    if not text.strip():
        raise GlimmerError("text is empty")
    entry_id, created = _whole(data, "id", 1, MAX_ID), _moment(data, "created")
    if entry_id is None or created is None:
        raise GlimmerError(f"{'id' if entry_id is None else 'created'} is missing")
    return Entry(id=entry_id, created=created, text=text, practice=_string(data, "practice") or None,
                 senses=_senses(data.get("senses")), calm_before=_whole(data, "calm_before", 0, 10),
                 calm_after=_whole(data, "calm_after", 0, 10), confidence=_fraction(data, "confidence"),
                 audio_path=_string(data, "audio_path") or None, last_replayed=_moment(data, "last_replayed"),
                 replay_count=_whole(data, "replay_count", 0, MAX_ID) or 0)


def _json_rows(name: str, text: str) -> list[tuple[str, Any]]:
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as err:
        raise GlimmerError(f"{name}: not a JSON export: line {err.lineno}: {err.msg}") from None
    except (ValueError, RecursionError) as err:   # a number too long to read, or lists nested too deep
        raise GlimmerError(f"{name}: not a JSON export: {str(err) or 'nested too deep'}") from None
    if not isinstance(rows, list):
        raise GlimmerError(f"{name}: not a JSON export: expected a list of entries")
    return [(f"entry {i}", row) for i, row in enumerate(rows, 1)]


def _csv_rows(name: str, text: str) -> list[tuple[str, dict[str, Any]]]:
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))   # no field is longer than the file
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = []
    try:
        missing = [column for column in _REQUIRED if column not in (reader.fieldnames or ())]
        if missing:
            raise GlimmerError(f"{name}: not a CSV export: it has no {missing[0]} column "
                               "(its first line names the columns: id,created,text,…)")
        start = reader.line_num + 1
        for row in reader:
            rows.append((f"line {start}", {key: _cell(value) for key, value in row.items() if key is not None}))
            start = reader.line_num + 1
    except csv.Error as err:
        raise GlimmerError(f"{name} line {reader.line_num}: not a CSV export: {err}") from None
    return rows


def _cell(value: str | None) -> str | None:
    return restore_formula(value) if value else None


def _string(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise GlimmerError(f"{key} must be words, not {_shown(value)}")
    if value is not None and not _encodable(value):
        raise GlimmerError(f"{key} is not valid unicode (it holds a lone surrogate)")
    return value


def _senses(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):   # as in csv: one sense, or several joined by ';'
        value = value.split(";")
    if not isinstance(value, list) or not all(isinstance(s, str) and _encodable(s) for s in value):
        raise GlimmerError(f"senses must be words, not {_shown(value)}")
    return tuple(s for s in value if s)


def _whole(data: dict[str, Any], key: str, low: int, high: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    number = int(value) if isinstance(value, str) and _WHOLE.fullmatch(value) else value
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise GlimmerError(f"{key} must be a whole number from {low} to {high}, not {_shown(number)}")
    return number


def _fraction(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    number = float(value) if isinstance(value, str) and _DECIMAL.fullmatch(value) else value
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 1:   # nan too
        raise GlimmerError(f"{key} must be a number from 0 to 1, not {_shown(value)}")
    return float(number)


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise GlimmerError(f"{key} must be a date and time such as 2026-03-04T21:14:05+01:00, not {_shown(value)}")
    if YEARS[0] <= moment.year <= YEARS[1]:
        moment = moment if moment.tzinfo else moment.astimezone()
        if YEARS[0] <= moment.astimezone(timezone.utc).year <= YEARS[1]:
            return moment
    raise GlimmerError(f"{key} must be a date and time from the years {YEARS[0]} to {YEARS[1]}, not {_shown(value)}")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(value: Any) -> str:
    """A value as one short line for a message."""
    shown = repr(value)
    return shown if len(shown) <= 60 else f"{shown[:57]}…"
