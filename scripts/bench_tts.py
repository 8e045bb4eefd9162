"""Speech-out bench: pace, time to first audio, intelligibility and synthesis speed of each voice.

    python -m scripts.bench_tts [--quick]

Pace is words per minute over a whole three-sentence practice prompt, measured in the audio from first to
last sound (pauses included). Time to first audio is from `Narrator.say` to the first samples handed to
the sink, for a two-sentence prompt. Intelligibility is the word error rate of the project's default
transcriber (Whisper tiny.en) on glimmer sentences spoken by the voice. Real-time factor is synthesis time /
audio length (one core).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import time
from dataclasses import replace

import numpy as np

from assistant.audio.frames import SAMPLE_RATE
from assistant.audio.sinks import to_int16_16k
from assistant.config import NightSettings, SttSettings, TtsSettings
from assistant.speech.pacing import words_per_minute
from assistant.speech.transcribe import make_transcriber
from assistant.speech.tts import Narrator, Voice, make_voice
from scripts.corpus import word_error_rate

PRACTICE_PROMPT = ("If you like, let your eyes rest on something steady in the room. "
                   "You might notice its colour, or its shape. There is no need to do anything more.")
TWO_SENTENCES = "If you like, we can notice one small moment that felt okay today. It can be anything at all."
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
    """Keeps what is played and when the first samples arrived (the bench's stand-in for a speaker)."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.first_audio: float | None = None

    def play(self, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
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
    errors = words = 0.0
    for sentence in sentences:
        n = len(sentence.split())
        heard = transcriber.transcribe(spoken(voice, settings, sentence)[0]).text
        errors += word_error_rate(sentence, heard) * n
        words += n
    return errors / words


def real_time_factor(voice: Voice, sentences=GLIMMER_SENTENCES) -> float:
    """Synthesis wall time / seconds of audio produced."""
    start, audio_s = time.perf_counter(), 0.0
    for sentence in sentences:
        samples, rate = voice.synthesize(sentence)
        audio_s += len(samples) / rate
    return (time.perf_counter() - start) / audio_s


def measure(engine: str, quick: bool) -> dict:
    """All figures for one engine."""
    settings = replace(TtsSettings(), engine=engine)
    start = time.perf_counter()
    voice = make_voice(settings)
    load_s = time.perf_counter() - start
    prompt, _ = spoken(voice, settings, PRACTICE_PROMPT)
    firsts = [spoken(voice, settings, TWO_SENTENCES)[1] for _ in range(1 if quick else 3)]
    sentences = GLIMMER_SENTENCES[:3] if quick else GLIMMER_SENTENCES
    return {"load_s": round(load_s, 3),
            "wpm": round(words_per_minute(PRACTICE_PROMPT, prompt, SAMPLE_RATE), 1),
            "first_audio_s": round(float(np.median(firsts)), 3),
            "rtf": round(real_time_factor(voice, sentences), 4),
            "wer": round(intelligibility(voice, settings, sentences), 3)}


def run(quick: bool = False) -> dict:
    """Measure both engines, print a table, and return {"tts.<engine>.<metric>": value}."""
    results = {engine: measure(engine, quick) for engine in ("hibari", "pyttsx3")}
    print(f"{'speech out':12s} {'wpm':>6s} {'1st audio s':>12s} {'RTF':>8s} {'WER':>6s} {'load s':>7s}")
    for engine, r in results.items():
        print(f"{engine:12s} {r['wpm']:6.1f} {r['first_audio_s']:12.3f} {r['rtf']:8.4f} {r['wer']:6.3f} "
              f"{r['load_s']:7.2f}")
    print("targets: wpm 110-150 (first to last sound), first audio <= 0.3 s, default voice WER <= 0.03")
    return {f"tts.{engine}.{key}": value for engine, r in results.items() for key, value in r.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sentences and repetitions")
    run(parser.parse_args().quick)
