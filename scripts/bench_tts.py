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
from assistant.config import TtsSettings
from assistant.speech.pacing import words_per_minute
from assistant.speech.tts import Voice, make_voice
from tests.support.speech_out import GLIMMER_SENTENCES, PRACTICE_PROMPT, intelligibility, spoken

TWO_SENTENCES = "If you like, we can notice one small moment that felt okay today. It can be anything at all."

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
