"""End-of-turn bench: does the smart-turn model let finished answers end early without cutting people off?

    python -m scripts.bench_turn [--quick]

Glimmer answers spoken in several voices (hibari at two paces, espeak-ng, flite), each judged by the model
(assistant/speech/end_of_turn.py) after SILENCE_S of silence, as the loop would after a short silence:
- finished: the whole answer; share judged complete (should be high);
- mid-thought: the first words said on their own, trailing off ("I noticed..."), where a reflective speaker
  pauses before going on; share judged complete, i.e. the answers that would be cut off (should be 0);
- finished after a pause: those words, a PAUSE_S pause, then the rest ("I noticed... [1.5 s] the light on the
  kitchen table this morning."); share judged complete (should be high);
- cut after half its words: the whole answer's audio cut at a word boundary; share judged complete (low);
and the CPU time per call on one thread. The model sees the speech and the first 0.2 s of the silence, as it was
trained; the "fed all" row shows what happens when it is given the whole SILENCE_S instead. The half-way cut
is placed by Whisper tiny.en's word times and kept only when Whisper reads the cut back as exactly those words
(robotic voices it misreads lose some cuts: the table shows how many were kept).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import re
import time

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.config import SttSettings
from assistant.speech.end_of_turn import COMPLETE_AT, MODEL_SILENCE_S, EndOfTurn
from assistant.speech.transcribe import make_transcriber
from scripts.wake_voices import speak

SILENCE_S = 0.7
PAUSE_S = 1.5
LEAD_S = 0.3
STRICTER = (0.9, 0.97)  # thresholds shown beside the model's own
# (answer, the number of words before the mid-thought pause)
ANSWERS = (
    ("I noticed the light on the kitchen table this morning.", 2),
    ("My sister laughed on the phone and I felt my shoulders drop.", 5),
    ("The smell of fresh bread from the bakery down the street.", 3),
    ("A stranger held the door for me and smiled at the station.", 2),
    ("I sat in the garden with a cup of tea and listened to the birds.", 4),
    ("My dog fell asleep with his head on my foot.", 3),
    ("The rain sounded soft against the window while I was reading.", 2),
    ("We cooked dinner together and nobody was in a hurry.", 4),
    ("When I got home the house was quiet and warm.", 4),
    ("There was a moment at lunch when everyone was laughing at the same joke.", 5),
)
VOICES = (("hibari", "heart", 1.0, 0), ("hibari", "heart", 0.85, 11), ("espeak", "en-us", 1.0, 0),
          ("espeak", "en-gb+f3", 1.0, 0), ("flite", "slt", 1.0, 0), ("flite", "awb", 1.0, 0))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_cuts(transcriber, speech: np.ndarray) -> list[int]:
    """Sample positions between consecutive words: the quietest 10 ms between one word's end and the next's
    start (by Whisper's word times)."""
    words = transcriber.transcribe(speech).words
    cuts, block = [], SAMPLE_RATE // 100
    for before, after in zip(words, words[1:], strict=False):
        lo = int(min(before.end, after.start) * SAMPLE_RATE) - 2 * block
        hi = max(int(after.start * SAMPLE_RATE), lo + 4 * block)
        energy = [np.sum(speech[i:i + block].astype(np.float64) ** 2) for i in range(lo, hi, block)]
        cuts.append(lo + block * int(np.argmin(energy)))
    return cuts


def cut_after(transcriber, speech: np.ndarray, text: str, n: int) -> int | None:
    """Where `speech` (saying `text`) can be cut just after its first `n` words: a boundary from Whisper's word
    times (which may be a word off) whose cut Whisper reads back as exactly those words; None if none does."""
    wanted, cuts = _words(text)[:n], word_cuts(transcriber, speech)
    for cut in cuts[max(0, n - 2):n + 1]:
        if _words(transcriber.transcribe(speech[:cut]).text) == wanted:
            return cut
    return None


def cases(transcriber, family: str, voice: str, speed: float, seed: int, answer: str, pause_after: int) -> dict:
    """The audio cases for one answer in one voice, each ending in SILENCE_S of silence. The mid-thought part
    is its own utterance ending in "...", as a person trails off; "cut_at_half" is left out when no cut of
    the whole answer after half its words reads back right."""
    def say(text: str) -> np.ndarray:
        return to_int16(speak(family, voice, text, speed=speed, seed=seed))

    words = answer.split()
    whole, start = say(answer), say(" ".join(words[:pause_after]) + "...")
    rest = say(" ".join(words[pause_after:]))
    lead, tail = silence(LEAD_S), silence(SILENCE_S)
    found = {"finished": np.concatenate([lead, whole, tail]),
             "mid_thought": np.concatenate([lead, start, tail]),
             "finished_after_pause": np.concatenate([lead, start, silence(PAUSE_S), rest, tail])}
    half = cut_after(transcriber, whole, answer, len(words) // 2)
    if half is not None:
        found["cut_at_half"] = np.concatenate([lead, whole[:half], tail])
    return found


def share(probabilities: list[float], threshold: float = COMPLETE_AT) -> float:
    return round(float(np.mean(np.asarray(probabilities) > threshold)), 3) if probabilities else float("nan")


def judge(quick: bool) -> tuple[dict, dict, dict, list[float]]:
    """Probabilities per case (all voices), per voice and case, the same fed all the silence; CPU s per call."""
    model, transcriber = EndOfTurn(), make_transcriber(SttSettings())
    answers, voices = (ANSWERS[:4], VOICES[::2]) if quick else (ANSWERS, VOICES)
    judged: dict[str, list[float]] = {}
    per_voice: dict[str, dict[str, list[float]]] = {}
    fed_all: dict[str, list[float]] = {}
    cpu = []
    for family, voice, speed, seed in voices:
        name = f"{family}:{voice}" + (f"@{speed}" if speed != 1.0 else "")
        for answer, pause_after in answers:
            for case, audio in cases(transcriber, family, voice, speed, seed, answer, pause_after).items():
                began = time.thread_time()
                probability = model.probability(audio, SILENCE_S)
                cpu.append(time.thread_time() - began)
                judged.setdefault(case, []).append(probability)
                per_voice.setdefault(name, {}).setdefault(case, []).append(probability)
                # told only the silence the model reads, it is given all SILENCE_S of it
                fed_all.setdefault(case, []).append(model.probability(audio, MODEL_SILENCE_S))
    return judged, per_voice, fed_all, cpu


def run(quick: bool = False) -> dict:
    """Judge every case, print a table, and return {"turn.<figure>": value}."""
    judged, per_voice, fed_all, cpu = judge(quick)
    results = {f"turn.{case}.complete_share": share(v) for case, v in judged.items()}
    results.update({f"turn.fed_all_silence.{case}.complete_share": share(v) for case, v in fed_all.items()})
    results.update({f"turn.at_{t}.{case}.complete_share": share(v, t) for t in STRICTER for case, v in judged.items()})
    results.update({"turn.answers": len(judged["finished"]), "turn.silence_s": SILENCE_S,
                    "turn.cpu_ms_per_call": round(1000 * float(np.median(cpu)), 1)})
    names = list(judged)
    print(f"judged complete (p > {COMPLETE_AT}) after {SILENCE_S} s of silence, {len(judged['finished'])} answers")
    print(f"{'voice':24s} " + " ".join(f"{c:>21s}" for c in names))
    rows = [(name, row, COMPLETE_AT) for name, row in per_voice.items()]
    rows += [("all", judged, COMPLETE_AT), (f"all, fed all {SILENCE_S} s", fed_all, COMPLETE_AT)]
    rows += [(f"all, p > {t}", judged, t) for t in STRICTER]
    for name, row, threshold in rows:
        print(f"{name:24s} " + " ".join(
            f"{sum(p > threshold for p in row.get(c, [])):>14d}/{len(row.get(c, [])):<6d}" for c in names))
    print(f"CPU per call (one thread): median {results['turn.cpu_ms_per_call']} ms")
    print("wanted: finished and finished_after_pause high, mid_thought 0 (each one would cut a person off)")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four answers in three voices")
    run(parser.parse_args().quick)
