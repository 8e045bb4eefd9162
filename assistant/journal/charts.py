"""Small inline SVG charts for the report, drawn in Python: no scripts, no fonts, every label escaped."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from html import escape
from typing import Sequence

from assistant.journal.store import Entry

WIDTH = 360                 # viewBox units; the SVG scales to the page width
INK, SOFT, WARM, CALM = "#4a4038", "#8c7e72", "#d9903d", "#4f8f86"
MAX_WEEKS = 26
MAX_RATED = 40


def weekly_chart(entries: Sequence[Entry], today: date) -> str:
    """Bars of glimmers per week (Monday to Sunday, local time), from the first entry's week to this week."""
    weeks = Counter(_monday(e.created.date()) for e in entries)
    last = _monday(today)
    first = max(min(weeks, default=last), last - timedelta(weeks=MAX_WEEKS - 1))
    days = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    top = max([weeks[d] for d in days] + [1])
    height, base, slot = 150, 125, WIDTH / len(days)
    parts = [_svg_open("chart-weeks", "Glimmers each week", WIDTH, height)]
    for i, monday in enumerate(days):
        count, x = weeks[monday], i * slot
        bar = (base - 20) * count / top
        if count:
            parts.append(f'<rect class="bar" x="{x + slot * 0.15:.1f}" y="{base - bar:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{bar:.1f}" rx="2" fill="{WARM}"><title>week of {monday:%-d %B}: {count}</title>'
                         f'</rect>')
            parts.append(_text(x + slot / 2, base - bar - 4, str(count), size=9, anchor="middle"))
        if i == 0 or monday.month != days[i - 1].month:
            parts.append(_text(x + 1, base + 15, f"{monday:%b}", size=10, fill=SOFT))
    parts.append(f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{SOFT}" stroke-width="0.6"/>')
    return "".join(parts) + "</svg>"


def senses_chart(entries: Sequence[Entry]) -> str:
    """Horizontal bars: how many glimmers touched each sense."""
    counts = Counter(sense for e in entries for sense in e.senses).most_common()
    row, label_w = 26, 92
    top = max([n for _, n in counts] + [1])
    parts = [_svg_open("chart-senses", "Senses in your glimmers", WIDTH, row * len(counts) + 8)]
    for i, (sense, count) in enumerate(counts):
        y = 4 + i * row
        bar = (WIDTH - label_w - 34) * count / top
        parts.append(_text(label_w - 8, y + 15, sense, size=12, anchor="end"))
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row - 10}" rx="3" '
                     f'fill="{CALM}"/>')
        parts.append(_text(label_w + bar + 6, y + 15, str(count), size=11, fill=SOFT))
    return "".join(parts) + "</svg>"


def calm_chart(entries: Sequence[Entry]) -> str:
    """Calm before (open circle) and after (filled) for each rated glimmer, oldest on the left, 0–10 scale."""
    rated = sorted((e for e in entries if e.calm_before is not None and e.calm_after is not None),
                   key=lambda e: e.created)[-MAX_RATED:]
    height, left, top_y, base = 170, 22, 10, 140
    slot = (WIDTH - left - 6) / max(len(rated), 1)

    def y(value: int) -> float:
        return base - (base - top_y) * value / 10

    parts = [_svg_open("chart-calm", "Calm before and after", WIDTH, height)]
    for level in (0, 5, 10):
        parts.append(f'<line x1="{left}" y1="{y(level)}" x2="{WIDTH}" y2="{y(level)}" stroke="#e6ddd2" '
                     f'stroke-width="0.8"/>')
        parts.append(_text(left - 6, y(level) + 4, str(level), size=10, anchor="end", fill=SOFT))
    for i, entry in enumerate(rated):
        x = left + slot * (i + 0.5)
        before, after = y(entry.calm_before), y(entry.calm_after)
        parts.append(f'<g class="pair"><title>{entry.created:%-d %b}: {entry.calm_before} → {entry.calm_after}'
                     f'</title><line x1="{x:.1f}" y1="{before:.1f}" x2="{x:.1f}" y2="{after:.1f}" stroke="{CALM}" '
                     f'stroke-width="1.6" opacity="0.6"/><circle cx="{x:.1f}" cy="{before:.1f}" r="3.6" fill="#fff" '
                     f'stroke="{SOFT}" stroke-width="1.4"/><circle cx="{x:.1f}" cy="{after:.1f}" r="3.6" '
                     f'fill="{CALM}"/></g>')
    if rated:
        parts.append(_text(left, height - 8, _short(rated[0].created), size=10, fill=SOFT))
        parts.append(_text(WIDTH - 2, height - 8, _short(rated[-1].created), size=10, anchor="end", fill=SOFT))
    return "".join(parts) + "</svg>"


def _svg_open(chart_id: str, title: str, width: float, height: float) -> str:
    return (f'<svg id="{chart_id}" class="chart" viewBox="0 0 {width} {height:.0f}" role="img" '
            f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-title">{escape(title)}</title>')


def _text(x: float, y: float, text: str, *, size: int, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f'{escape(text)}</text>')


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _short(moment: datetime) -> str:
    return f"{moment:%-d %b %Y}"
