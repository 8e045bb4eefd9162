"""Export the journal as JSON, Markdown or CSV (json and csv come back exactly through importer.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, Iterable

from assistant.errors import GlimmerError
from assistant.journal.entries import Entry

FORMATS = ("json", "md", "csv")
FIELDS = ("id", "created", "text", "practice", "senses", "calm_before", "calm_after", "confidence",
          "audio_path", "last_replayed", "replay_count")
# A spreadsheet runs a cell that begins with = + - @ (or a tab or carriage return before them) as a formula.
# OWASP's rule: such a cell gets a leading single quote. Cells that already begin with quotes before one of
# those characters get one more, so removing exactly one quote on import always gives back the original.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def entry_to_dict(entry: Entry) -> dict[str, Any]:
    """An entry as plain JSON values; `created` keeps the local offset, e.g. 2026-03-04T21:14:05.120000+01:00."""
    return {
        "id": entry.id,
        "created": entry.created.isoformat(timespec="microseconds"),
        "text": entry.text,
        "practice": entry.practice,
        "senses": list(entry.senses),
        "calm_before": entry.calm_before,
        "calm_after": entry.calm_after,
        "confidence": entry.confidence,
        "audio_path": entry.audio_path,
        "last_replayed": entry.last_replayed.isoformat(timespec="microseconds") if entry.last_replayed else None,
        "replay_count": entry.replay_count,
    }


def export(entries: Iterable[Entry], fmt: str) -> str:
    """The entries as one document in `fmt` (json, md or csv)."""
    entries = list(entries)
    if fmt == "json":
        return json.dumps([entry_to_dict(e) for e in entries], ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")   # RFC 4180; quotes any \r
        writer.writeheader()
        for entry in entries:
            row = entry_to_dict(entry)
            row["senses"] = ";".join(entry.senses)
            writer.writerow({k: "" if v is None else neutralise_formula(str(v)) for k, v in row.items()})
        return out.getvalue()
    if fmt == "md":
        return _markdown(entries)
    raise GlimmerError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def neutralise_formula(cell: str) -> str:
    """The cell as a spreadsheet shows it but never runs it: a leading quote before a formula character."""
    return f"'{cell}" if _FORMULA.match(cell) else cell


def restore_formula(cell: str) -> str:
    """The inverse of neutralise_formula."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell, 1) else cell


def details(entry: Entry) -> list[str]:
    """Practice, senses and calm rating as short phrases, e.g. ['savor', 'sound, touch', 'calm 3 → 7']."""
    parts = [d for d in (entry.practice, ", ".join(entry.senses)) if d]
    if entry.calm_before is not None or entry.calm_after is not None:
        parts.append(f"calm {_dash(entry.calm_before)} → {_dash(entry.calm_after)}")
    return parts


def _markdown(entries: list[Entry]) -> str:
    lines = ["# My glimmers", ""]
    for entry in entries:
        lines += [f"## {entry.created:%A %-d %B %Y, %H:%M}", "", entry.text, ""]
        if details(entry):
            lines += [f"*{' · '.join(details(entry))}*", ""]
    return "\n".join(lines)


def _dash(value: int | None) -> str:
    return "–" if value is None else str(value)
