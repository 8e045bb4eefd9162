"""The assistant survives what hardware does: a microphone that vanishes mid-session is announced, what was
captured is kept, and listening resumes on the reopened device.

The only fake here is the hardware: a simulated microphone that stops delivering audio part-way, as an
unplugged USB microphone does (its reads raise DeviceLost). Everything else is the real assistant.
"""

import stat

import numpy as np

from assistant.audio.sinks import WavSink
from assistant.audio.sources import DeviceLost, TurnFeeder
from assistant.config import Settings, load_settings
from assistant.journal.store import Journal
from assistant.loop import Assistant
from scripts.corpus import spoken_turn
from tests.conftest import fill_disk


class UnpluggedAfter(TurnFeeder):
    """A simulated microphone that is pulled out after `frames` reads."""

    def __init__(self, turns, frames: int) -> None:
        super().__init__(turns)
        self.frames_left = frames

    def read(self) -> np.ndarray:
        self.frames_left -= 1
        if self.frames_left < 0:
            raise DeviceLost("microphone 'USB Audio' stopped delivering audio")
        return super().read()


def _settings(tmp_path) -> Settings:
    return load_settings(None, journal=str(tmp_path / "journal.db"))


def _turn(synth, *sentences: str) -> np.ndarray:
    return spoken_turn(synth, sentences, seed=6, speed=0.95)


def test_a_vanishing_microphone_keeps_the_glimmer_and_reconnects(tmp_path, synth, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_shot = _turn(synth, "Hey glimmer.", "The steam from my tea curled in the morning light.")
    # The glimmer is heard and kept; the microphone vanishes while Glimmer waits for "yes" or "no".
    frames_until_unplugged = len(one_shot) // 480 + 60
    opened: list[TurnFeeder] = [UnpluggedAfter([one_shot], frames_until_unplugged)]

    def reopen():  # plugged back in: the person wakes it again and asks for a replay
        opened.append(TurnFeeder([_turn(synth, "Hey glimmer."), _turn(synth, "Play me a glimmer.")]))
        return opened[-1]

    events: list[dict] = []
    settings = _settings(tmp_path)
    assistant = Assistant(settings, opened[0], WavSink(tmp_path / "out.wav"), reopen, events.append)
    monkeypatch.setattr("assistant.loop.BACKOFF_S", (0,))
    assert assistant.run() == 0
    kinds = [e["event"] for e in events]
    assert kinds.count("wake") == 2 and len(opened) == 2
    said = [e["text"] for e in events if e["event"] == "say"]
    assert any("can't hear the microphone" in text for text in said)
    assert any("steam from my tea" in text.lower() for text in said)  # replayed after reconnecting
    with Journal.open(settings.journal.path) as journal:
        assert len(journal.list()) == 1


def test_a_full_disk_is_said_plainly_and_the_words_are_kept_aside(small_disk, synth, monkeypatch):
    monkeypatch.chdir(small_disk)
    glimmer = "The steam from my tea curled in the morning light."
    turns = TurnFeeder([_turn(synth, "Hey glimmer.", glimmer)])
    events: list[dict] = []
    settings = _settings(small_disk / "glimmer")
    assistant = Assistant(settings, turns, WavSink(small_disk.parent / "out.wav"), lambda: turns, events.append)
    fill_disk(small_disk)   # the disk fills while the assistant is running
    assert assistant.run() == 0
    said = " ".join(e["text"] for e in events if e["event"] == "say")
    assert "kept in your journal" not in said and "I've kept" not in said
    assert "couldn't save that in your journal" in said and "storage is full" in said
    assert "journal-unsaved.txt, in the journal's folder" in said
    assert not [e for e in events if e["event"] == "journal"]
    kept = small_disk / "glimmer" / "journal-unsaved.txt"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "steam from my tea" in kept.read_text().lower()
