"""The default voice: hibari-tts, a natural neural English voice inside its wheel (~100x real time)."""

import re

import numpy as np

from assistant.errors import GlimmerError

DEFAULT_VOICE = "heart"


class HibariVoice:
    """hibari at a base speed; never downloads: a voice not already on disk is a clear error."""

    def __init__(self, voice: str = "", speed: float = 1.0) -> None:
        try:
            from hibari import Hibari
            from hibari.voices import VOICES, voice_path
        except ImportError:
            raise GlimmerError("the hibari voice is not installed (pip install hibari-tts); "
                               "or set tts.engine: pyttsx3") from None
        name = voice or DEFAULT_VOICE
        if name not in VOICES:
            raise GlimmerError(f"tts.voice: {name!r} is not a hibari voice; one of {', '.join(VOICES)}")
        try:
            path = voice_path(name, download_missing=False)
        except FileNotFoundError as err:
            raise GlimmerError(
                f"tts.voice: hibari voice {name!r} is not on this machine ({err.args[0]}); "
                f"Glimmer never downloads voices: use {DEFAULT_VOICE!r} or copy the file there") from None
        self.name = name
        self.speed = speed
        self._tts = Hibari(voice=name, model=path, threads=1)
        self._tts("Okay.", seed=0)           # loads the G2P now, so the first prompt starts at once

    def synthesize(self, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
        """Float32 audio of `text` at 24 kHz; `speed` multiplies the base speed."""
        return self._tts(_plain_no(text), speed=self.speed * speed, seed=0), self._tts.sample_rate


def _plain_no(text: str) -> str:
    """hibari reads a lower-case "no." as the abbreviation "number" ("yes, or no." -> "yes, or number");
    its inline pronunciation keeps the word. "No. 5" (capitalised, before a number) stays an abbreviation."""
    return re.sub(r"\bno(?=[.!?])", "[no](/nˈO/)", text)
