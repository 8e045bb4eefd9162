"""Earcons are soft and short, and follow night mode (softer or none)."""

from datetime import datetime

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE
from assistant.audio.sinks import WavSink
from assistant.config import NightSettings, TtsSettings
from assistant.speech.earcons import MAX_PEAK, NAMES, SOFT_PEAK, earcon
from assistant.speech.tts import Narrator


@pytest.mark.parametrize("name", NAMES)
def test_earcons_are_soft_short_and_click_free(name):
    tone = earcon(name)
    assert set(NAMES) == {"listening", "done", "saved", "error"}
    assert np.abs(tone).max() <= MAX_PEAK + 1e-6
    assert np.abs(earcon(name, soft=True)).max() <= SOFT_PEAK + 1e-6
    assert 0.2 <= len(tone) / SAMPLE_RATE <= 0.7
    assert abs(tone[0]) < 1e-3 and abs(tone[-1]) < 1e-3                 # starts and ends at silence
    assert np.abs(np.diff(tone)).max() < 0.12                           # no sudden steps (clicks)
    attack = np.abs(tone[: int(0.01 * SAMPLE_RATE)]).max()
    assert attack < 0.5 * np.abs(tone).max()                            # a gentle rise, not a beep's onset
    spectrum = np.abs(np.fft.rfft(tone)) ** 2
    freqs = np.fft.rfftfreq(len(tone), 1 / SAMPLE_RATE)
    assert spectrum[freqs > 2000].sum() < 0.01 * spectrum.sum()          # warm: nothing shrill


def test_chimes_are_softer_or_silent_at_night(tmp_path):
    def chimed(hour: int, earcons: str) -> np.ndarray:
        night = NightSettings(enabled=True, start="22:00", end="07:00", volume=0.5, earcons=earcons)
        sink = WavSink(tmp_path / "c.wav")
        Narrator(None, sink, TtsSettings(), night, lambda: datetime(2026, 5, 1, hour, 0)).chime("saved")
        return sink.samples

    day, soft, off = chimed(12, "soft"), chimed(23, "soft"), chimed(23, "off")
    assert 0 < np.abs(soft).max() < 0.5 * np.abs(day).max()
    assert np.abs(day).max() <= MAX_PEAK * 32768
    assert len(off) == 0
