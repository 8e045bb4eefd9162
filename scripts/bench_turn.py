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
The same answers show how often the words alone, and the words with the model, would end each case early
(the development figures the end-of-turn judge was chosen on). Those answers are the ones the judge's word
rules were written against. Then the loop's ways on answers it never saw: BLIND answers
(scripts/turn_blind_answers.txt, written blind, "first part | rest") in voices the rules were not read against
either, through the Listener (assistant/speech/turn_judge.py) at real speed in simulation (the judge's own
compute time is heard as more frames): the old way (answer_silence_s, then Whisper), read ahead (the default:
Whisper starts when the silence does), and ended early by the judge (listen.end_of_turn, its words):
- end of a finished answer to its text (read ahead and ended early: its silence heard at a live microphone's
  pace, so that Whisper and the judge work while it runs, as they do live);
- the answer said with a 1, 1.5 or 2 s pause at its " | " (the voice's own padding trimmed): read ahead, cut
  off when it ended before the rest was said; ended early, how often it ended before the rest (Glimmer would
  begin to reply there), and cut off when the answer the practice finally hears through the spoken Dialog
  (which keeps an answer that ended early open until its full silence has passed) lacks the rest.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import re
import time
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.audio.sinks import WavSink
from assistant.audio.sources import TurnFeeder
from assistant.config import ListenSettings, SttSettings
from assistant.dialog import SpokenDialog
from assistant.duplex import HalfDuplex
from assistant.speech.end_of_turn import COMPLETE_AT, MODEL_SILENCE_S, EndOfTurn
from assistant.speech.endpoint import TAIL_S, Listener
from assistant.speech.pacing import trim
from assistant.speech.transcribe import make_transcriber
from assistant.speech.turn_judge import TurnJudge
from assistant.speech.unfinished import sounds_unfinished
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
BLIND = Path(__file__).with_name("turn_blind_answers.txt")
BLIND_VOICES = (("hibari", "heart", 0.9, 3), ("kokoro", "mix:0.6,0,0.4,0,0", 1.0, 0), ("espeak", "en-us+m3", 1.0, 0),
                ("flite", "rms", 1.0, 0), ("flite", "kal", 1.0, 0))
BLIND_PAUSES_S = (1.0, 1.5, 2.0)
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


def judge(quick: bool) -> tuple[dict, dict, dict, list[float], dict]:
    """Probabilities per case (all voices), per voice and case, the same fed all the silence; CPU s per call;
    per case, whether the words (as Whisper reads the answer offered at the tail) sound finished."""
    model, transcriber = EndOfTurn(), make_transcriber(SttSettings())
    answers, voices = (ANSWERS[:4], VOICES[::2]) if quick else (ANSWERS, VOICES)
    judged: dict[str, list[float]] = {}
    per_voice: dict[str, dict[str, list[float]]] = {}
    fed_all: dict[str, list[float]] = {}
    words_done: dict[str, list[bool]] = {}
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
                offered = audio[:len(audio) - int((SILENCE_S - TAIL_S) * SAMPLE_RATE)]
                said = transcriber.transcribe(offered).text
                words_done.setdefault(case, []).append(not sounds_unfinished(said, True))
    return judged, per_voice, fed_all, cpu, words_done


def blind_answers() -> list[tuple[str, str]]:
    """The blind answers: (said before the pause, said after it)."""
    lines = [line.split(" | ") for line in BLIND.read_text().splitlines() if " | " in line]
    return [(first.strip(), rest.strip()) for first, rest in lines]


class PacedFeeder(TurnFeeder):
    """One turn, its frames at once up to `real_time_from` seconds, then at the pace of a live microphone (so
    that what runs in the background while the silence runs gets the time it would have)."""

    def __init__(self, audio: np.ndarray, real_time_from: float) -> None:
        super().__init__([audio])
        self._paced_from = int(real_time_from * SAMPLE_RATE)
        self._clock: float | None = None

    def read(self) -> np.ndarray:
        if self._offset >= self._paced_from:
            now = time.perf_counter()
            if self._clock is None:
                self._clock = now
            ahead = self._clock + (self._offset - self._paced_from) / SAMPLE_RATE - now
            if ahead > 0:
                time.sleep(ahead)
        return super().read()


def listened(judge: TurnJudge | None, audio: np.ndarray, real_time_from: float | None = None) -> tuple[float, float]:
    """Listen to one answer as the loop does: (end of its speech to its text in s, where the speech ended).
    `judge` None: the old way, Whisper reads the answer once its silence has ended. `real_time_from`: frames
    from then on come at a live microphone's pace (else the judge's time is heard as more frames)."""
    feeder = TurnFeeder([audio]) if real_time_from is None else PacedFeeder(audio, real_time_from)
    feeder.begin_turn()
    listener = Listener(feeder, ListenSettings())
    early = judge.answer(None) if judge is not None else None
    captured = listener.listen("answer", timeout_s=5.0, early=early)
    assert captured is not None and listener.last is not None
    wall = time.perf_counter()
    if early is None or early.transcript(captured) is None:
        make_transcriber(SttSettings()).transcribe(captured)
    waited = listener.last.returned_s - listener.last.speech_end_s
    return waited + time.perf_counter() - wall, listener.last.speech_end_s


def finally_heard(judge: TurnJudge, audio: np.ndarray, sink: WavSink) -> str:
    """The words of one answer as a practice hears them through the spoken Dialog: when it ended early and
    went on, the next listen hears the whole of it."""
    feeder = TurnFeeder([audio, silence(0.1)])
    transcriber = judge.transcriber
    dialog = SpokenDialog(HalfDuplex(feeder, sink), None, Listener(feeder, ListenSettings()),  # type: ignore[arg-type]
                          transcriber, lambda event: None, judge)
    heard = dialog.listen("answer", 5.0, "journal")
    while heard.ended_early and (later := dialog.listen("answer", 5.0, "journal")).went_on:
        heard = later
    return heard.text


def has_the_rest(text: str, first: str, rest: str) -> bool:
    """Whether `text` goes on past the words said before the pause by at least half the words said after it
    (counted, not matched: Whisper misreads some words of robotic voices, "cut grass" as "cut-dress")."""
    return len(_words(text)) >= len(_words(first)) + 0.5 * len(_words(rest))


def listening(quick: bool) -> dict:
    """End of finished blind answers to their text, and the paused ones cut off: the old way (whole silence,
    then Whisper), read ahead (the default), and ended early by the judge (listen.end_of_turn)."""
    transcriber = make_transcriber(SttSettings())
    ways = {"read_ahead": TurnJudge(transcriber), "early": TurnJudge(transcriber, ends_early=True)}
    answers, voices = (blind_answers()[:8], BLIND_VOICES[::2]) if quick else (blind_answers(), BLIND_VOICES)
    lead, tail = silence(LEAD_S), silence(4.0)
    latency: dict[str, list[float]] = {"silence": [], **{way: [] for way in ways}}
    cut: dict[str, dict[str, list[str]]] = {way: {} for way in [*ways, "went_on"]}
    tried = dict.fromkeys([*ways, "went_on"], 0)
    sink = WavSink(Path(os.devnull))
    for family, voice, speed, seed in voices:
        name = f"{family}:{voice}"
        listened(ways["early"], np.concatenate([lead, to_int16(speak(family, voice, "Hello there.")), tail]))
        for i, (first, rest) in enumerate(answers):
            # without the synthesizer's own padding: the pause between them is the pause said
            said_first = to_int16(trim(speak(family, voice, first, speed=speed, seed=seed), SAMPLE_RATE))
            said_rest = to_int16(trim(speak(family, voice, rest, speed=speed, seed=seed), SAMPLE_RATE))
            whole = np.concatenate([lead, to_int16(speak(family, voice, f"{first} {rest}", speed=speed, seed=seed)),
                                    tail])
            pause = BLIND_PAUSES_S[i % len(BLIND_PAUSES_S)]
            paused = np.concatenate([lead, said_first, silence(pause), said_rest, tail])
            rest_starts = LEAD_S + (len(said_first) / SAMPLE_RATE) + pause
            spoken_s = len(whole) / SAMPLE_RATE - len(tail) / SAMPLE_RATE
            if i % 4 == 0:
                latency["silence"].append(listened(None, whole)[0])
                latency["read_ahead"].append(listened(ways["read_ahead"], whole, real_time_from=spoken_s)[0])
            latency["early"].append(listened(ways["early"], whole, real_time_from=spoken_s)[0])
            for way, judge in ways.items():
                tried[way] += 1
                if listened(judge, paused)[1] < rest_starts:
                    cut[way].setdefault(name, []).append(f"{first} | ({pause} s)")
            tried["went_on"] += 1
            if not has_the_rest(text := finally_heard(ways["early"], paused, sink), first, rest):
                cut["went_on"].setdefault(name, []).append(f"{first} | ({pause} s) -> {text}")
    results = {f"turn.end_to_text_{way}_s.{q}": round(float(np.percentile(v, p)), 2)
               for way, v in latency.items() for q, p in (("median", 50), ("p90", 90))}
    # read ahead, an answer that ends before the rest is cut off; ended early, only one whose rest is lost
    results.update({"turn.cut_off_read_ahead": sum(map(len, cut["read_ahead"].values())),
                    "turn.early_end_before_the_rest": sum(map(len, cut["early"].values())),
                    "turn.cut_off_early": sum(map(len, cut["went_on"].values()))})
    results.update({f"turn.paused_answers_{way}": n for way, n in tried.items()})
    print(f"\nblind answers ({len(answers)} x {len(voices)} voices) through the Listener at real speed:")
    for key, value in results.items():
        print(f"  {key}: {value}")
    for way, voices_cut in cut.items():
        for name, lines in voices_cut.items():
            what = "ended before the rest" if way == "early" else "cut off"
            print(f"  {way}, {name}: {len(lines)} {what}" + "".join(f"\n    {line}" for line in lines[:6]))
    return results


def run(quick: bool = False) -> dict:
    """Judge every case, print a table, and return {"turn.<figure>": value}."""
    judged, per_voice, fed_all, cpu, words_done = judge(quick)
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
    with_model = {c: [w and p > COMPLETE_AT for w, p in zip(words_done[c], judged[c], strict=True)] for c in names}
    for way, ended in (("words", {c: words_done[c] for c in names}), ("words and model", with_model)):
        results.update({f"turn.ended_by_{way.replace(' ', '_')}.{c}.share": round(float(np.mean(v)), 3)
                        for c, v in ended.items()})
        print(f"{'ended: ' + way:24s} " + " ".join(f"{sum(ended[c]):>14d}/{len(ended[c]):<6d}" for c in names))
    print(f"CPU per call (one thread): median {results['turn.cpu_ms_per_call']} ms")
    print("wanted: finished and finished_after_pause high, mid_thought 0 (each one ends while the person is "
          "mid-thought: Glimmer begins to reply, then stops when they go on)")
    results.update(listening(quick))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="four answers in three voices")
    run(parser.parse_args().quick)
