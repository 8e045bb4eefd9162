"""Speech out as a listener gets it: a prompt through the Narrator into a recording sink, and how well the
default transcriber understands the voice (used by tests/test_tts.py and scripts/bench_tts.py)."""

from __future__ import annotations

import time

import numpy as np

from assistant.audio.frames import SAMPLE_RATE
from assistant.audio.sinks import to_int16_16k
from assistant.config import NightSettings, SttSettings, TtsSettings
from assistant.speech.transcribe import make_transcriber
from assistant.speech.tts import Narrator, Voice
from tests.support.scoring import wer

PRACTICE_PROMPT = ("If you like, let your eyes rest on something steady in the room. "
                   "You might notice its colour, or its shape. There is no need to do anything more.")
GLIMMER_SENTENCES = (
    "A glimmer is any tiny moment that felt okay, safe, or connected.",
    "The warm light on the kitchen table this morning.",
    "My sister laughed on the phone and I felt my shoulders drop.",
    "I'll keep it in your journal, just as you said it.",
    "Take a moment to notice the chair or the floor holding you.",
    "The smell of fresh bread from the bakery down the street.",
)
DAYTIME = NightSettings(enabled=False)


class RecordingSink:
    """Keeps what is played and when the first samples arrived (a stand-in for a speaker)."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.first_audio: float | None = None

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE, text: str = "") -> None:
        if self.first_audio is None and np.any(samples):
            self.first_audio = time.perf_counter()
        self.chunks.append(to_int16_16k(samples, rate))

    def wait_done(self) -> None:
        """Nothing is in flight."""

    def close(self) -> None:
        """Nothing to release."""

    @property
    def samples(self) -> np.ndarray:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int16)


def spoken(voice: Voice, settings: TtsSettings, text: str) -> tuple[np.ndarray, float]:
    """`text` as the Narrator queues it (16 kHz int16), and the seconds until its first audio."""
    sink = RecordingSink()
    start = time.perf_counter()
    Narrator(voice, sink, settings, DAYTIME).say(text)
    return sink.samples, (sink.first_audio or start) - start


def intelligibility(voice: Voice, settings: TtsSettings, sentences=GLIMMER_SENTENCES) -> float:
    """Word error rate of the project's default transcriber (Whisper tiny.en) over `sentences` spoken by
    `voice` (all words pooled)."""
    transcriber = make_transcriber(SttSettings())
    return wer([(sentence, transcriber.transcribe(spoken(voice, settings, sentence)[0]).text)
                for sentence in sentences])
