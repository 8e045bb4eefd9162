"""Small inline SVG charts for the report, drawn in Python: no scripts, no fonts, every label escaped."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from html import escape
from typing import Sequence

from assistant.journal.entries import Entry

WIDTH = 360                 # viewBox units; the SVG scales to the page width
INK, SOFT, WARM, CALM = "#4a4038", "#8c7e72", "#d9903d", "#4f8f86"
MAX_WEEKS = 26
MAX_RATED = 40
MONTH_SIZE = 9
_EM = 0.64                  # the widest a character is in common sans-serif fonts, as a share of its size


def first_week(today: date) -> date:
    """The Monday the weekly chart starts from at the earliest: MAX_WEEKS weeks up to and including this one."""
    return _monday(today) - timedelta(weeks=MAX_WEEKS - 1)


def weekly_chart(entries: Sequence[Entry], today: date) -> str:
    """Bars of glimmers per week (Monday to Sunday, local time), from the first entry's week to this week, at
    most MAX_WEEKS weeks; count and month labels sized and spaced so that none overlap, the year on the first."""
    last = _monday(today)
    weeks = Counter(w for e in entries if first_week(today) <= (w := _monday(e.created.date())) <= last)
    first = min(weeks, default=last)
    days = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    top = max([weeks[d] for d in days] + [1])
    height, base, slot = 150, 125, WIDTH / len(days)
    count_size = min(9.0, 0.9 * slot / (_EM * len(str(top))))   # the widest count fits its bar's slot
    parts = [_svg_open("chart-weeks", "Glimmers each week", WIDTH, height)]
    for i, monday in enumerate(days):
        count, x = weeks[monday], i * slot
        bar = (base - 20) * count / top
        if count:
            parts.append(f'<rect class="bar" x="{x + slot * 0.15:.1f}" y="{base - bar:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{bar:.1f}" rx="2" fill="{WARM}"><title>week of {monday:%-d %B %Y}: {count}'
                         f'</title></rect>')
            parts.append(_text(x + slot / 2, base - bar - 4, str(count), size=count_size, anchor="middle"))
    parts += [_text(x, base + 15, words, size=MONTH_SIZE, fill=SOFT) for x, words in _month_labels(days, slot)]
    parts.append(f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{SOFT}" stroke-width="0.6"/>')
    return "".join(parts) + "</svg>"


def _month_labels(days: list[date], slot: float) -> list[tuple[float, str]]:
    """A label where each month starts, the year on the first and on each new year; when the chart starts
    too close to the next month's start for both labels, the next month's label speaks for both."""
    starts = [i for i, day in enumerate(days) if i == 0 or day.month != days[i - 1].month]
    if len(starts) > 1 and starts[1] * slot < _EM * MONTH_SIZE * len("Mmm yyyy") + 2:
        starts = starts[1:]
    labels, year = [], None
    for i in starts:
        labels.append((i * slot + 1, f"{days[i]:%b}" if days[i].year == year else f"{days[i]:%b %Y}"))
        year = days[i].year
    return labels


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
        before, after = y(entry.calm_before or 0), y(entry.calm_after or 0)   # rated: neither is None
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


def _text(x: float, y: float, text: str, *, size: float, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{round(size, 1):g}" text-anchor="{anchor}" fill="{fill}">'
            f'{escape(text)}</text>')


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _short(moment: datetime) -> str:
    return f"{moment:%-d %b %Y}"
