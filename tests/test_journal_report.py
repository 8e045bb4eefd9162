"""`glimmer report`: one self-contained offline page; rendered in headless Chromium with no network at all."""

import os
import random
import re
import shutil
import stat
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from assistant.journal.charts import weekly_chart
from assistant.journal.entries import Entry
from assistant.journal.report import render_report
from assistant.journal.store import Journal

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
GLIMMER = [sys.executable, "-c", "import sys; from assistant.cli import main; sys.exit(main())"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TRICKY = "<script>alert('hi')</script> & a cat called \"Toast\""
TEXTS = ["the warm mug in my hands", "birdsong before the alarm", "Maya laughed at my joke",
         "sun on the back of my neck", "clean sheets, cool and smooth", "the smell of rain on hot pavement",
         "my shoulders dropped when I breathed out", TRICKY, "the kettle clicking off",
         "a slow walk home under the streetlights"]
SENSES = ["touch", "sound", "connection", "touch", "touch", "smell", "body", "sight", "sound", "sight"]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def _journal(path: Path) -> Journal:
    rng = random.Random(2)
    journal = Journal(path)
    start = NOW - timedelta(days=67)
    for i in range(24):
        k = i % len(TEXTS)
        before = rng.randint(2, 6) if i % 3 else None
        journal.add(TEXTS[k], practice=("capture", "savor", "ground")[i % 3],
                    senses=[SENSES[k]] + (["body"] if i % 4 == 0 else []), calm_before=before,
                    calm_after=None if before is None else min(10, before + rng.randint(0, 4)),
                    created=start + timedelta(days=i * 2.7 + rng.random()))
    return journal


def test_report_is_self_contained_gentle_and_escaped(tmp_path):
    with _journal(tmp_path / "j.db") as journal:
        page = render_report(journal.list(), now=NOW)
    assert all(f'id="chart-{name}"' in page for name in ("weeks", "senses", "calm"))
    assert page.count('<article class="entry"') == 24
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt; &amp; a cat called &quot;Toast&quot;" in page
    assert "<script" not in page.replace("&lt;script", "")
    for external in ("<link", "src=", "url(", "@import", "https://", "@font-face"):
        assert external not in page
    assert re.findall(r"http://[^\"]+", page) == ["http://www.w3.org/2000/svg"] * 3   # the SVG namespace name only
    assert "default-src 'none'" in page   # the browser itself refuses any fetch
    for word in ("streak", "missed", "in a row", "should", "goal"):
        assert not re.search(rf"\b{word}\b", page, re.IGNORECASE), word


def test_empty_journal_report_is_kind(tmp_path):
    page = render_report([], now=NOW)
    assert "none here yet, and that is fine" in page and "<svg" not in page


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    netless = ["unshare", "-n"] if shutil.which("unshare") and subprocess.run(
        ["unshare", "-n", "true"], capture_output=True).returncode == 0 else []
    if not netless:
        pytest.skip("unshare -n is not permitted here; cannot prove the report renders with no network")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--window-size=420,1600"]
    return subprocess.run([*netless, CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=90)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium')")
def test_report_renders_in_headless_chromium_without_network(tmp_path):
    db = tmp_path / "journal.db"
    _journal(db).close()
    html = tmp_path / "report.html"
    made = subprocess.run([*GLIMMER, "--journal", str(db), "report", "--out", str(html)], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert made.returncode == 0 and made.stdout.strip() == str(html), made.stderr
    assert stat.S_IMODE(html.stat().st_mode) == 0o600

    dom = _chromium("--dump-dom", html.as_uri(), profile=tmp_path / "profile-dom").stdout
    for name in ("weeks", "senses", "calm"):
        assert re.search(rf'<svg id="chart-{name}"', dom), f"chart {name} not in the rendered page"
    assert len(re.findall(r'<rect class="bar"', dom)) >= 10 + 6   # ten weeks with glimmers, six senses
    assert len(re.findall(r'<g class="pair"', dom)) == 16
    assert dom.count('<article class="entry"') == 24 and "a slow walk home under the streetlights" in dom
    assert "&lt;script&gt;alert('hi')&lt;/script&gt;" in dom   # shown as words, never run

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "journal-report.png"
    shot.unlink(missing_ok=True)
    _chromium(f"--screenshot={shot}", html.as_uri(), profile=tmp_path / "profile-shot")
    assert shot.is_file(), "chromium wrote no screenshot"
    av = pytest.importorskip("av")
    with av.open(str(shot)) as png:
        pixels = next(png.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    assert pixels.shape[:2] == (1600, 420)

    def painted(rgb: tuple[int, int, int]) -> int:
        return int((np.abs(pixels - np.array(rgb)).max(axis=2) <= 12).sum())

    assert painted((0xD9, 0x90, 0x3D)) > 3000, "the weekly bars are not visible"
    assert painted((0x4F, 0x8F, 0x86)) > 3000, "the senses and calm charts are not visible"


def _many(today: date, weeks: int, per_week) -> list[Entry]:
    """per_week(i) glimmers in each of the `weeks` weeks before `today`, as entries (no journal needed)."""
    entries, start = [], datetime.combine(today, time(9), timezone.utc) - timedelta(weeks=weeks)
    for week in range(weeks):
        entries += [Entry(id=len(entries) + 1, created=start + timedelta(weeks=week, minutes=n), text=f"glimmer {n}")
                    for n in range(per_week(week))]
    return entries


def _labels(svg: str) -> list[tuple[float, float, float, float, str]]:
    """(left, right, top, bottom, words) of each <text>, with a generous 0.6 em per character."""
    boxes = []
    for x, y, size, anchor, words in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)" '
                                                r'text-anchor="(\w+)"[^>]*>([^<]*)</text>', svg):
        x, y, size, width = float(x), float(y), float(size), 0.6 * float(size) * len(words)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        boxes.append((left, left + width, y - 0.75 * float(size), y, words))
    return boxes


def test_weekly_chart_labels_never_overlap_even_at_three_digit_counts():
    svg = weekly_chart(_many(date(2026, 2, 10), 30, lambda week: 95 + week * 7), date(2026, 2, 10))
    boxes = _labels(svg)
    assert {"95", "151", "298"} & {words for *_, words in boxes} and len(boxes) > 26
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[1] <= 360, a
        for b in boxes[i + 1:]:
            assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2], (a, b)


def test_weekly_chart_says_the_year():
    svg = weekly_chart(_many(date(2026, 2, 10), 20, lambda week: 2), date(2026, 2, 10))
    months = [words for *_, words in _labels(svg) if not words.isdigit()]
    assert months[0] in ("Sep 2025", "Oct 2025") and "Jan 2026" in months and "Dec" in months, months
    assert "week of 2 February 2026: 2" in svg


def test_glimmers_older_than_the_weekly_chart_are_mentioned_not_hidden():
    old = _many(NOW.date(), 60, lambda week: 1 if week < 20 else 0)   # 40 to 60 weeks ago
    page = render_report(old, now=NOW)
    assert 'id="chart-weeks"' not in page and page.count('<article class="entry"') == 20
    assert ("Weekly bars show the last 26 weeks; your 20 glimmers are from before then, from 26 September "
            "2025 to 6 February 2026. They are all below, in your words.") in page
    page = render_report(old + _many(NOW.date(), 3, lambda week: 2), now=NOW)
    assert 'id="chart-weeks"' in page and "26 weeks; 20 of your glimmers are from before then" in page
    one = render_report(old[:1], now=NOW)
    assert "your one glimmer is from before then, on 26 September 2025. It is below, in your words." in one
