"""Night mode: between the configured hours the voice is quieter and slower, and earcons softer or off."""

from collections.abc import Callable
from datetime import datetime, time

from assistant.config import NightSettings
from assistant.errors import GlimmerError


def _clock_time(text: str, key: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise GlimmerError(f"night.{key}: {text!r} is not a time like 22:00") from None


class NightMode:
    """Answers "is it night now?" with an injectable clock, and what that changes."""

    def __init__(self, settings: NightSettings, clock: Callable[[], datetime] = datetime.now) -> None:
        self.settings = settings
        self._clock = clock
        self._start = _clock_time(settings.start, "start")
        self._end = _clock_time(settings.end, "end")

    def active(self) -> bool:
        """True between start and end (the window may cross midnight)."""
        if not self.settings.enabled or self._start == self._end:
            return False
        now = self._clock().time()
        if self._start < self._end:
            return self._start <= now < self._end
        return now >= self._start or now < self._end

    def volume_factor(self) -> float:
        """Multiplier for the voice and earcon volume."""
        return self.settings.volume if self.active() else 1.0

    def speed_factor(self) -> float:
        """Multiplier for the speaking speed (below 1 is slower)."""
        return self.settings.speed if self.active() else 1.0

    def earcons(self) -> str:
        """"on", "soft" or "off"."""
        return self.settings.earcons if self.active() else "on"
