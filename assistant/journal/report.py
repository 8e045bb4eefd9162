"""The report: one self-contained, offline HTML page of the person's glimmers, with charts, readable on a phone."""

from __future__ import annotations

from datetime import datetime
from html import escape
from itertools import groupby
from typing import Sequence

from assistant.journal.charts import (
    MAX_WEEKS,
    calm_chart,
    first_week,
    senses_chart,
    weekly_chart,
)
from assistant.journal.entries import Entry
from assistant.journal.export import details

# Nothing may load from anywhere: no scripts, no fonts, no images beyond inline SVG.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fbf7f0; color: #4a4038;
       font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 40rem; margin: 0 auto; padding: 1.2rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0.6rem 0 0.2rem; font-weight: 600; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.3rem; font-weight: 600; }
h3 { font-size: 0.95rem; margin: 1.6rem 0 0.4rem; color: #8c7e72; font-weight: 600; }
.lead, .note, footer { color: #6f6359; }
.note { font-size: 0.92rem; margin: 0.2rem 0 0.6rem; }
.card { background: #fff; border-radius: 14px; padding: 0.8rem; box-shadow: 0 1px 3px rgba(74, 64, 56, 0.08); }
svg.chart { display: block; width: 100%; height: auto; }
.legend { font-size: 0.85rem; color: #6f6359; margin-top: 0.3rem; }
.dot { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 50%; vertical-align: middle; }
.entry { background: #fff; border-radius: 14px; padding: 0.8rem 1rem; margin: 0.6rem 0;
         box-shadow: 0 1px 3px rgba(74, 64, 56, 0.08); }
.entry time { font-size: 0.85rem; color: #8c7e72; }
.entry .words { margin: 0.25rem 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 1.05rem; }
.entry .meta { font-size: 0.85rem; color: #6f6359; margin: 0; }
footer { font-size: 0.85rem; margin-top: 2.5rem; }
"""


def render_report(entries: Sequence[Entry], now: datetime | None = None) -> str:
    """The whole page as a string; `entries` in any order."""
    now = (now or datetime.now()).astimezone()
    entries = sorted(entries, key=lambda e: e.created, reverse=True)
    body = [f"<h1>Your glimmers</h1><p class=\"lead\">{_summary(entries)}</p>"] + (
        _charts(entries, now) + _words(entries) if entries else
        ['<p>When you share a glimmer with Glimmer, it will be kept here, in your own words.</p>'])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">"
        "<meta name=\"referrer\" content=\"no-referrer\">"
        f"<title>Your glimmers</title><style>{_STYLE}</style></head>\n<body><main>\n"
        + "\n".join(body)
        + f"\n<footer>Made by Glimmer on this device on {now:%-d %B %Y}. These are your own words: "
          "keep this page somewhere private. It needs no internet connection.</footer>\n</main></body></html>\n")


def _summary(entries: Sequence[Entry]) -> str:
    if not entries:
        return "Small moments of safety, calm and connection you noticed. There are none here yet, and that is fine."
    count = _glimmers(len(entries))
    first = min(e.created for e in entries)
    return (f"Small moments of safety, calm and connection you noticed: {count}, "
            f"the first on {first:%-d %B %Y}.")


def _charts(entries: Sequence[Entry], now: datetime) -> list[str]:
    parts = ["<h2>Glimmers each week</h2>"] + _weeks(entries, now) + ["<h2>Senses</h2>"]
    if any(e.senses for e in entries):
        parts += ["<p class=\"note\">What your glimmers came through: sight, sound, touch and more.</p>",
                  f"<div class=\"card\">{senses_chart(entries)}</div>"]
    else:
        parts.append("<p class=\"note\">When a practice asks which sense a glimmer came through, it shows here.</p>")
    parts.append("<h2>Calm before and after</h2>")
    if any(e.calm_before is not None and e.calm_after is not None for e in entries):
        parts += ["<p class=\"note\">How calm you felt, from 0 to 10, before and after a practice.</p>",
                  f"<div class=\"card\">{calm_chart(entries)}<div class=\"legend\">"
                  "<span class=\"dot\" style=\"border:1.5px solid #8c7e72\"></span> before &nbsp; "
                  "<span class=\"dot\" style=\"background:#4f8f86\"></span> after</div></div>"]
    else:
        parts.append("<p class=\"note\">When a practice asks how calm you feel, before and after, it shows here.</p>")
    return parts


def _weeks(entries: Sequence[Entry], now: datetime) -> list[str]:
    """The weekly chart, with a word about glimmers too old for it (none of them is ever left unsaid)."""
    older = [e for e in entries if e.created.date() < first_week(now.date())]
    verb = "is" if len(older) == 1 else "are"
    if len(older) == len(entries):
        return [f"<p class=\"note\">Weekly bars show the last {MAX_WEEKS} weeks; your {_glimmers(len(older))} "
                f"{verb} from before then, {_span(older)}. {'It is' if len(older) == 1 else 'They are all'} below, "
                "in your words.</p>"]
    note = "Each bar is one week. Every glimmer counts, whenever it comes."
    if older:
        note += (f" The chart shows the last {MAX_WEEKS} weeks; {len(older)} of your glimmers {verb} from before "
                 f"then, {_span(older)}, and below in your words.")
    return [f"<p class=\"note\">{note}</p>", f"<div class=\"card\">{weekly_chart(entries, now.date())}</div>"]


def _span(entries: Sequence[Entry]) -> str:
    first, last = (f"{moment:%-d %B %Y}" for moment in (min(e.created for e in entries),
                                                       max(e.created for e in entries)))
    return f"on {first}" if first == last else f"from {first} to {last}"


def _glimmers(count: int) -> str:
    return "one glimmer" if count == 1 else f"{count} glimmers"


def _words(entries: Sequence[Entry]) -> list[str]:
    parts = ["<h2>In your words</h2>"]
    for month, group in groupby(entries, key=lambda e: f"{e.created:%B %Y}"):
        parts.append(f"<h3>{month}</h3>")
        parts += [_entry(e) for e in group]
    return parts


def _entry(entry: Entry) -> str:
    meta = " · ".join(escape(d) for d in details(entry))
    meta = f"<p class=\"meta\">{meta}</p>" if meta else ""
    return (f"<article class=\"entry\" id=\"entry-{entry.id}\"><time datetime=\"{entry.created.isoformat()}\">"
            f"{entry.created:%A %-d %B, %H:%M}</time><p class=\"words\">{escape(entry.text)}</p>{meta}</article>")

