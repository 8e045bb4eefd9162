"""Speech out: the Voice protocol, the engine factory, and the Narrator that speaks at a calm pace.

The Narrator prepares the text (numbers, abbreviations, pause markers), synthesizes one sentence at a
time and queues each to the sink as soon as it is ready, so the first sentence plays while the next is
being made. Each sentence is trimmed to its sound and followed by a real pause (see pacing.py); pause
markers become silence of exactly their length. Volume, speed and earcons follow night mode.
"""

import importlib.util
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, silence, to_float
from assistant.audio.sinks import AudioSink, to_int16_16k
from assistant.config import NightSettings, TtsSettings
from assistant.speech.earcons import earcon
from assistant.speech.night import NightMode
from assistant.speech.pacing import Pace, trim
from assistant.speech.textprep import Pause, prepare


class Voice(Protocol):
    """Turns text into audio."""

    def synthesize(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        """(float32 in [-1, 1] or int16 samples, sample rate); `speed` scales the configured speed."""


def make_voice(settings: TtsSettings) -> Voice:
    """The configured engine; `auto` is hibari when it is installed, else pyttsx3 (espeak-ng)."""
    engine, voice = settings.engine, settings.voice
    if engine == "auto":
        engine = "hibari" if importlib.util.find_spec("hibari") else "pyttsx3"
        if engine == "pyttsx3":
            voice = ""                         # the configured voice is a hibari one: use espeak-ng's default
    if engine == "hibari":
        from assistant.speech.voices.hibari_voice import HibariVoice

        return HibariVoice(voice, settings.speed)
    from assistant.speech.voices.pyttsx3_voice import Pyttsx3Voice

    return Pyttsx3Voice(voice, settings.pyttsx3_rate)


class Narrator:
    """Speaks prepared text through an AudioSink at a calm pace, with earcons and night mode."""

    def __init__(self, voice: Voice, sink: AudioSink, settings: TtsSettings, night: NightSettings,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.voice = voice
        self.sink = sink
        self.settings = settings
        self.night = NightMode(night, clock)

    def say(self, text: str) -> None:
        """Queue `text` to the sink sentence by sentence; returns when all is queued (then sink.wait_done())."""
        speed = self.night.speed_factor()
        volume = self.settings.volume * self.night.volume_factor()
        pace = Pace(self.settings.sentence_pause_s, self.settings.max_sentence_pause_s,
                    self.settings.target_wpm * speed)
        gap, automatic = 0.0, True             # silence owed before the next sentence, and its kind
        for part in prepare(text):
            if isinstance(part, Pause):        # a marker replaces the automatic pause; markers add up
                gap, automatic = (part.seconds if automatic else gap + part.seconds), False
                continue
            sound, rate = self._sound(part, speed)
            slower = pace.slowdown(part, len(sound) / rate)
            if slower < 1.0:
                sound, rate = self._sound(part, speed * slower)
            if len(sound) == 0:
                continue
            if gap:
                self.silence(gap)
            self.sink.play(to_int16_16k(sound * volume, rate))
            gap, automatic = pace.pause_after(part, len(sound) / rate), True
        if gap and not automatic:              # a trailing marker is kept; a trailing sentence pause is not
            self.silence(gap)

    def _sound(self, sentence: str, speed: float) -> tuple[np.ndarray, int]:
        samples, rate = self.voice.synthesize(sentence, speed=speed)
        return trim(to_float(np.asarray(samples)), rate), rate

    def chime(self, name: str) -> None:
        """Queue the earcon `name` ("listening", "done", "saved", "error"), softer or none at night."""
        mode = self.night.earcons()
        if mode == "off":
            return
        tone = earcon(name, soft=mode == "soft")
        self.sink.play(to_int16_16k(tone * self.settings.volume * self.night.volume_factor(), SAMPLE_RATE))

    def silence(self, seconds: float) -> None:
        """Queue exactly `seconds` of silence."""
        self.sink.play(silence(seconds))
