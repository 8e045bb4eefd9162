"""How Glimmer says when a replayed glimmer was kept."""

from datetime import datetime, timedelta, timezone

import pytest

from assistant.session import spoken_when

NOW = datetime(2026, 11, 23, 21, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("ago, said", [
    (timedelta(hours=3), "earlier today"),
    (timedelta(days=1), "yesterday"),
    (timedelta(days=3), "on Friday"),
    (timedelta(days=20), "on November 3rd"),
    (timedelta(days=22), "on November 1st"),
    (timedelta(days=12), "on November 11th"),
    (timedelta(days=400), "on October 19th, 2025"),
])
def test_spoken_when(ago, said):
    assert spoken_when(NOW - ago, now=NOW) == said
