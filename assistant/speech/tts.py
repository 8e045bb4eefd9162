"""Speech out: the Voice protocol, the engine factory, and the Narrator that speaks at a calm pace.

The Narrator prepares the text (numbers, abbreviations, pause markers), synthesizes one sentence at a
time and queues each to the sink as soon as it is ready, so the first sentence plays while the next is
being made. Each sentence is trimmed to its sound and followed by a real pause (see pacing.py); pause
markers become silence of exactly their length. Volume, speed and earcons follow night mode; speed and
pauses also follow the tempo a person asked for ("slower").
"""

import importlib.util
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, silence, to_float
from assistant.audio.sinks import AudioSink
from assistant.config import NightSettings, TtsSettings
from assistant.speech.earcons import earcon
from assistant.speech.night import NightMode
from assistant.speech.pacing import Pace, Tempo, lengthen_breaks, trim, word_count
from assistant.speech.textprep import Pause, prepare

# Seconds of sound per character of text at a voice's configured speed: both engines measure 0.05-0.07.
TYPICAL_SECONDS_PER_CHAR = 0.06


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
        self._seconds_per_char = TYPICAL_SECONDS_PER_CHAR

    def say(self, text: str, tempo: Tempo = Tempo(), interrupted: Callable[[], bool] = lambda: False) -> None:
        """Queue `text` to the sink sentence by sentence; returns when all is queued (then sink.wait_done()).
        A slower `tempo` (the person asked for "slower") slows the voice and its target pace, and leaves
        more room between sentences. `interrupted` is asked before each sentence; True leaves the rest unsaid."""
        speed = tempo.speed * self.night.speed_factor()
        volume = self.settings.volume * self.night.volume_factor()
        longest = self.settings.max_sentence_pause_s
        pace = Pace(tempo.shortest_pause(self.settings.sentence_pause_s, longest), longest,
                    self.settings.target_wpm * speed)
        marked = 0.0                           # silence from pause markers, owed before the next sentence
        words, seconds = 0, 0.0                # spoken so far: words, and seconds of sound and sentence pauses
        for part in prepare(text):
            if isinstance(part, Pause):
                marked += part.seconds
                continue
            if interrupted():
                return
            sound, rate = self._sentence(part, speed, pace)
            if len(sound) == 0:
                continue
            first = words == 0
            words, seconds = words + word_count(part), seconds + len(sound) / rate
            if marked:                         # a marker replaces the sentence pause, exactly
                self.silence(marked)
            elif not first:                    # the pause before this sentence, now that its length is known
                pause = pace.pause(words, seconds)
                seconds += pause
                self.silence(pause)
            marked = 0.0
            self.sink.play(sound * volume, rate, part)   # at the voice's own rate: resampled once, at the device
        if marked:
            self.silence(marked)

    def _sentence(self, sentence: str, speed: float, pace: Pace) -> tuple[np.ndarray, int]:
        """The trimmed sound of `sentence`, read slower if it would come out too dense for the pace.

        The voice's sound per character is learnt from each sentence (starting from a typical value), so
        a dense sentence is synthesized once, at the right speed; what remains too dense gets longer
        phrase breaks.
        """
        factor = pace.slowdown(sentence, self._seconds_per_char * len(sentence) / speed)
        sound, rate = self._sound(sentence, speed * factor)
        if len(sound):
            observed = len(sound) / rate * speed * factor / len(sentence)
            self._seconds_per_char = (self._seconds_per_char + observed) / 2
        return lengthen_breaks(sound, rate, pace.shortfall(sentence, len(sound) / rate)), rate

    def _sound(self, sentence: str, speed: float) -> tuple[np.ndarray, int]:
        samples, rate = self.voice.synthesize(sentence, speed=speed)
        return trim(to_float(np.asarray(samples)), rate), rate

    def chime(self, name: str) -> None:
        """Queue the earcon `name` ("listening", "done", "saved", "error"), softer or none at night."""
        mode = self.night.earcons()
        if mode == "off":
            return
        tone = earcon(name, soft=mode == "soft")
        self.sink.play(tone * self.settings.volume * self.night.volume_factor(), SAMPLE_RATE)

    def silence(self, seconds: float) -> None:
        """Queue exactly `seconds` of silence."""
        self.sink.play(silence(seconds))
