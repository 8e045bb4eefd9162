"""Tense bench: does the guarded answer prompt fix dropped "-ed" on sentences nobody tuned on, without
costing accuracy elsewhere or writing words where nobody speaks?

    python -m scripts.bench_tense [--quick] [--voices hibari0,hibari1] [--skip-noise] [--skip-non-speech]

Three ways, with one loaded whisper engine: "none" (decoded plainly, as a command is), "prompt" (the decode
after the answer prompt alone, with the same window and no-speech rule: what the guard is given) and
"guarded" (a journal answer: the plain decode, with only the past tenses the prompted one restores; see
assistant/speech/tense_guard.py). Speech: the 60 sentences of speech_in_blind_sentences.txt, written before
anything was transcribed, in six voices (hibari in two seeds and paces, espeak-ng en-us and en-gb, flite slt
and rms), clean, and three of those voices in pink noise at 12 dB and four-talker babble (real LibriVox
voices) at 10 dB SNR; and the real LibriVox recordings. Word errors by tests/support/scoring.py. Non-speech:
30 minutes of digital silence, hiss, pink and brown noise, a fan and music-like tones, fed as a recording is
(VAD and endpointer, then the transcriber) and, harder, 6-s pieces of each straight into the decoder: every
word written there is added. Speech that is not an answer, a TV in another room (real and synthetic speech,
low-passed, at -45 dBFS), is heard the same ways and kept apart: there the guarded way must write exactly the
plain way's words, nothing more.
CPU-s per audio-s of each way, on one thread.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float, to_int16

SENTENCES = tuple(line.strip() for line in
                  (Path(__file__).parent / "speech_in_blind_sentences.txt").read_text().splitlines() if line.strip())
PAST_TENSE = "Yesterday evening, we stopped and rested."  # the answer prompt measured
WAYS = ("none", "prompt", "guarded")
NOISES = (("pink", 12), ("babble", 10))
NOISY_VOICES = ("hibari0", "espeak-en-us", "flite-slt")
TV_DBFS = -45.0          # speech heard through a wall
PIECE_S = 6.0            # non-speech fed straight into the decoder, a piece at a time
MINUTES = {"silence": 5, "hiss": 5, "pink": 5, "brown": 5, "fan": 5, "music": 5}   # non-speech
NOT_ANSWERS = {"tv": 5}  # speech, but nobody answering Glimmer


def voices() -> dict[str, Callable[[str, int], np.ndarray]]:
    """Name -> speak(text, sentence number) as 16 kHz int16."""
    from scripts.corpus import Synthesizer
    synth = Synthesizer()
    return {"hibari0": lambda text, i: synth.hibari(text, seed=200 + i, speed=1.0),
            "hibari1": lambda text, i: synth.hibari(text, seed=300 + i, speed=0.85),
            "espeak-en-us": lambda text, i: synth.espeak(text, "en-us"),
            "espeak-en-gb": lambda text, i: synth.espeak(text, "en-gb+f3"),
            "flite-slt": lambda text, i: synth.flite(text, "slt"),
            "flite-rms": lambda text, i: synth.flite(text, "rms")}


def speech_sets(quick: bool, names: list[str], noisy: bool) -> dict[str, list[tuple[str, np.ndarray]]]:
    """{"clean-<voice>" | "<noise><snr>-<voice>": [(sentence, samples)]}."""
    from scripts.corpus import mix_at_snr, mix_babble
    sentences = SENTENCES[::5] if quick else SENTENCES
    sets = {}
    for name, speak in voices().items():
        if name in names:
            sets[f"clean-{name}"] = [(s, speak(s, i)) for i, s in enumerate(sentences)]
    for name in (n for n in NOISY_VOICES if noisy and n in names):
        for kind, snr in NOISES:
            sets[f"{kind}{snr}-{name}"] = [
                (s, mix_babble(x, snr, seed=i) if kind == "babble" else mix_at_snr(x, kind, snr, seed=i))
                for i, (s, x) in enumerate(sets[f"clean-{name}"])]
    return sets


# ---- the three ways ------------------------------------------------------------------------------------

class Ways:
    """One whisper engine with the answer prompt, heard three ways; CPU-s and audio-s of each."""

    def __init__(self) -> None:
        from assistant.config import SttSettings
        from assistant.speech.transcribe import make_transcriber
        self.transcriber = make_transcriber(SttSettings(answer_prompt=PAST_TENSE), "whisper")
        self.cpu = dict.fromkeys(WAYS, 0.0)
        self.audio_s = dict.fromkeys(WAYS, 0.0)

    def heard(self, samples: np.ndarray, way: str) -> str:
        started = time.process_time()
        if way == "prompt":
            text = self._prompted(samples)
        else:
            text = self.transcriber.transcribe(samples, "journal" if way == "guarded" else None).text
        self.cpu[way] += time.process_time() - started
        self.audio_s[way] += len(samples) / SAMPLE_RATE
        return text

    def _prompted(self, samples: np.ndarray) -> str:
        """The decode after the prompt alone: the engine's window and no-speech rule, its prompt tokens."""
        from assistant.speech import stt_whisper as w
        engine = self.transcriber.engine
        assert isinstance(engine, w.WhisperTranscriber)
        audio = to_float(samples)
        duration = len(audio) / SAMPLE_RATE
        if len(samples) < 1600 or not np.any(samples):
            return ""
        if duration > w.FULL_S - w.PAD_S:
            return engine._long_form(audio, PAST_TENSE).text
        encoded = engine._encode(audio, min(w.FULL_S, max(w.MIN_WINDOW_S, duration + w.PAD_S)))
        tokens, avg_logprob, no_speech = engine._generate(encoded, duration, engine._context)
        if not tokens or (no_speech > w.NO_SPEECH and avg_logprob < w.LOW_LOGPROB):
            return ""
        return engine._tokenizer.decode(tokens).strip()


def word_errors(ways: Ways, sets: dict) -> dict:
    """WER of each way per set and pooled clean/noise; prints the sentences where the ways differ."""
    from tests.support.scoring import wer
    figures, pooled = {}, {}
    for name, items in sets.items():
        heard = {way: [ways.heard(x, way) for _, x in items] for way in WAYS}
        for way in WAYS:
            pairs = list(zip([s for s, _ in items], heard[way], strict=True))
            figures[f"wer_{name}_{way}"] = round(wer(pairs), 4)
            pooled.setdefault((name.split("-")[0], way), []).extend(pairs)
        for number, (said, _) in enumerate(items):
            if len({heard[way][number] for way in WAYS}) > 1:
                print(f"  {name}: {said!r}", *(f"\n    {way:8s} {heard[way][number]!r}" for way in WAYS))
        print(name, {way: figures[f"wer_{name}_{way}"] for way in WAYS}, flush=True)
    for (group, way), pairs in pooled.items():
        figures[f"wer_{group}_{way}"] = round(wer(pairs), 4)
    return figures


def real_errors(ways: Ways) -> dict:
    """WER of each way on the real LibriVox recordings."""
    from assistant.audio.wav import read_wav
    from scripts.corpus import librivox_clips
    from tests.support.scoring import wer
    clips = [(text, read_wav(path)) for path, text in librivox_clips()]
    return {f"wer_real_{way}": round(wer([(t, ways.heard(x, way)) for t, x in clips]), 4) for way in WAYS} | {
        "real_clips": len(clips)}


# ---- non-speech ----------------------------------------------------------------------------------------

def _gain(dbfs: float) -> float:
    return 10 ** (dbfs / 20)


def low_passed(x: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """`x` through a 4th-order low-pass magnitude response (walls keep the low part of a voice)."""
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    return np.fft.irfft(spectrum / np.sqrt(1 + (freqs / cutoff_hz) ** 8), len(x)).astype(np.float32)


def _fan(n: int, rng: np.random.Generator) -> np.ndarray:
    from assistant.audio.rooms import noise
    t = np.arange(n) / SAMPLE_RATE
    hum = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((50, 100, 150, 200), 1))
    blades = 1 + 0.3 * np.sin(2 * np.pi * 23 * t + rng.uniform(0, 6))
    air = low_passed(noise("pink", n, rng), 2000) * blades
    return (0.3 * hum / np.sqrt(np.mean(hum ** 2)) + air) * _gain(-32)


def _music(n: int, rng: np.random.Generator) -> np.ndarray:
    """Notes and chords of a pentatonic scale with harmonics and a decay, with rests between phrases."""
    scale = 220 * 2 ** (np.array([0, 2, 4, 7, 9, 12, 14, 16, 19, 21]) / 12)
    out, at = np.zeros(n, np.float32), 0
    while at < n:
        length = int(rng.choice([0.25, 0.5, 0.75, 1.0, 1.5]) * SAMPLE_RATE)
        t = np.arange(length) / SAMPLE_RATE
        note = np.zeros(length)
        for f in rng.choice(scale, size=int(rng.integers(1, 4)), replace=False):
            note += sum(np.sin(2 * np.pi * f * h * t) / h ** 1.5 for h in (1, 2, 3, 4))
        note *= np.exp(-3 * t) * np.minimum(1, t / 0.01)
        end = min(n, at + length)
        out[at:end] += note[:end - at]
        at = end + (int(rng.uniform(0.5, 2.0) * SAMPLE_RATE) if rng.random() < 0.1 else 0)
    return out / np.sqrt(np.mean(out ** 2) + 1e-12) * _gain(-28)


def _tv(n: int, rng: np.random.Generator) -> np.ndarray:
    """Speech from another room: the LibriVox readers and two espeak-ng presenters, low-passed, quiet."""
    from scripts.corpus import Synthesizer, librivox, librivox_clips
    talk = list(librivox())
    talk += [to_float(Synthesizer.espeak(text, voice)) for _, text in librivox_clips() for voice in ("en-us", "en-gb")]
    out, at = np.zeros(n, np.float32), 0
    while at < n:
        clip = talk[int(rng.integers(len(talk)))]
        clip = clip / (np.sqrt(np.mean(clip ** 2)) + 1e-9)
        end = min(n, at + len(clip))
        out[at:end] += clip[:end - at] * rng.uniform(0.6, 1.4)
        at = end + int(rng.uniform(0.2, 1.2) * SAMPLE_RATE)
    voiced = out[np.abs(out) > 0.05 * np.max(np.abs(out))]
    return low_passed(out, 700) / np.sqrt(np.mean(voiced ** 2)) * _gain(TV_DBFS)


def non_speech(kind: str, seconds: float, seed: int = 0) -> np.ndarray:
    """`seconds` of `kind` (see MINUTES and NOT_ANSWERS) as int16, a quiet room's hiss under all but silence."""
    from assistant.audio.rooms import noise
    n, rng = int(seconds * SAMPLE_RATE), np.random.default_rng(seed)
    if kind == "silence":
        return np.zeros(n, np.int16)
    floor = noise("white", n, seed + 1) * _gain(-60)
    signal = {"hiss": lambda: noise("white", n, seed) * _gain(-48),
              "pink": lambda: noise("pink", n, seed) * _gain(-35),
              "brown": lambda: noise("brown", n, seed) * _gain(-30),
              "fan": lambda: _fan(n, rng), "music": lambda: _music(n, rng), "tv": lambda: _tv(n, rng)}[kind]()
    return to_int16(signal + floor)


def added_words(ways: Ways, quick: bool) -> dict:
    """Words each way writes on non-speech and on speech that is not an answer: through the VAD and endpointer
    as a recording is heard, and straight into the decoder in PIECE_S pieces (one every 30 s)."""
    from assistant.audio.wav import write_wav
    from assistant.config import ListenSettings
    from assistant.speech.recording import utterances
    figures: dict = {"non_speech_minutes": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for number, (kind, minutes) in enumerate((MINUTES | NOT_ANSWERS).items()):
            audio = non_speech(kind, (0.5 if quick else minutes) * 60, seed=number)
            if kind in MINUTES:
                figures["non_speech_minutes"] += len(audio) / SAMPLE_RATE / 60
            path = write_wav(Path(tmp) / f"{kind}.wav", audio)
            heard = [a for _, a in utterances(path, ListenSettings())]
            figures[f"vad_utterances_{kind}"] = len(heard)
            step = int((60 if quick else 30) * SAMPLE_RATE)
            pieces = [audio[i:i + int(PIECE_S * SAMPLE_RATE)] for i in range(0, len(audio), step)]
            for route, parts in (("vad", heard), ("direct", pieces)):
                written = {way: [ways.heard(a, way).strip() for a in parts] for way in WAYS}
                for way in WAYS:
                    figures[f"words_{route}_{kind}_{way}"] = sum(len(t.split()) for t in written[way])
                    if any(written[way]):
                        print(f"  {kind} {route} {way}: {[t for t in written[way] if t][:5]}")
                if kind in NOT_ANSWERS:
                    figures[f"guarded_as_plain_{route}_{kind}"] = written["guarded"] == written["none"]
            print(kind, {k: v for k, v in figures.items() if kind in k}, flush=True)
    for route in ("vad", "direct"):
        for way in WAYS:
            figures[f"words_{route}_total_{way}"] = sum(figures[f"words_{route}_{k}_{way}"] for k in MINUTES)
    figures["non_speech_minutes"] = round(figures["non_speech_minutes"], 1)
    return figures


def run(quick: bool = False, names: list[str] | None = None, noisy: bool = True, silent: bool = True) -> dict:
    """Measure, print, return {"tense.<figure>": …}; CPU over the speech only."""
    ways = Ways()
    print(f"prompt: {PAST_TENSE!r}; {len(SENTENCES)} blind sentences", flush=True)
    figures = added_words(ways, quick) if silent else {}
    ways.cpu, ways.audio_s = dict.fromkeys(WAYS, 0.0), dict.fromkeys(WAYS, 0.0)
    figures |= real_errors(ways)
    figures |= word_errors(ways, speech_sets(quick, names or list(voices()), noisy))
    for way in WAYS:
        figures[f"cpu_s_per_audio_s_{way}"] = round(ways.cpu[way] / max(1e-9, ways.audio_s[way]), 4)
    for name, value in figures.items():
        print(f"  {name:40s} {value}")
    return {f"tense.{name}": value for name, value in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a fifth of the sentences, 30 s of each non-speech")
    parser.add_argument("--voices", help="comma-separated voices (default: all six)")
    parser.add_argument("--skip-noise", action="store_true", help="clean speech only")
    parser.add_argument("--skip-non-speech", action="store_true", help="speech only")
    args = parser.parse_args(argv)
    run(args.quick, args.voices.split(",") if args.voices else None, not args.skip_noise, not args.skip_non_speech)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
