"""Choose barge_in.MOST_DEFICIT on dev voices, live: none of the barge-in bench's voices.

    python -m scripts.barge_in_deficit [--out DIR [--scored]]

In the bench's room (scripts/live_room.py, the speaker looped back at -10 dB), Glimmer plays its practices'
passages while people in DEV_VOICES say stop and pause phrases (STOPS) and everyday words and sound-alikes
(OTHERS) over it; every utterance the barge-in reads is saved. Each is then scored by the closed question
(speech/control_confirm.py) and read freely, and the table shows, for each deficit allowed, how many stops are
heard and how many other phrases and stretches of Glimmer's own practices would be taken for one.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from scripts import bench_barge_in as bench
from scripts.live_room import Room

DEV_VOICES = (("flite", "kal"), ("festival", "voice_kal_diphone"), ("espeak", "en+m5"), ("espeak", "en-us+f2"),
              ("espeak", "en-gb-scotland+m1"), ("kokoro", "jf_gongitsune"), ("kokoro", "jf_tebukuro"),
              ("kokoro", "mix:0,0.5,0,0.5,0"), ("kokoro", "mix:0.3,0,0.7,0,0"), ("espeak", "en-us+f4"))
STOPS = ("Stop.", "Pause.", "Wait.", "Be quiet.", "Stop, please.", "Stop it.", "Hold on.", "Wait a moment.")
OTHERS = ("Yes.", "Okay.", "Thank you.", "That's nice.", "The bus stop.", "I stopped.", "Hmm.", "I like that.",
          "Wait for me.", "Stop sign.", "Top.", "Shop.", "Paws.", "Hey.", "Bye.", "Start.", "Weight.", "Please.",
          "Quite.", "Oh, wow.", "Sorry.", "No.", "Stuff.", "First.", "Boss.")
DEFICITS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
SAVING = '''
import itertools
_count = itertools.count()
class SavingBargeIn(BargeIn):
    def _read(self, audio, started, ended):
        np.save(f"{OUT}/u{next(_count):05d}.npy", audio)
        return super()._read(audio, started, ended)
BargeIn = SavingBargeIn
'''


def collect(out: Path) -> None:
    """Play, speak over it, and save every utterance read (u*.npy) and what each trial was (trials.jsonl)."""
    overlap = {v for _, v in DEV_VOICES} & {v for _, v in bench.VOICES + bench.NATURAL_VOICES}
    assert not overlap, f"dev voices must not be the bench's: {overlap}"
    child = bench.CHILD.replace("reads = Reads()", SAVING.replace("{OUT}", str(out)) + "\nreads = Reads()")
    trials = [(p, *DEV_VOICES[i % len(DEV_VOICES)]) for i, p in enumerate(STOPS * 5)] + \
             [(p, *DEV_VOICES[(3 * i) % len(DEV_VOICES)]) for i, p in enumerate(OTHERS * 2)]
    rng = np.random.default_rng(5)
    texts = bench.passages()
    saved = lambda: len(list(out.glob("u*.npy")))  # noqa: E731
    with open(out / "trials.jsonl", "w") as log, tempfile.TemporaryDirectory() as name, \
            Room(loopback_db=bench.LOOPBACK_DB, hiss_dbfs=bench.HISS_DBFS) as room:
        folder = Path(name)
        voices = [bench.glimmer_voice(text, folder, n) for n, text in enumerate(texts)]
        glimmer = bench.Glimmer(room, child)
        try:
            for voice, text in zip(voices, texts, strict=True):
                first = saved()
                glimmer.play(voice, text)
                result = glimmer.result()
                log.write(json.dumps({"kind": "own", "first": first, "last": saved(), "read": result["let_go"]})
                          + "\n")
            for number, (phrase, family, voice) in enumerate(trials):
                wav = bench.person(phrase, family, voice, folder, 500 + number)
                played, first = voices[number % len(voices)], saved()
                glimmer.play(played, texts[number % len(texts)])
                time.sleep(rng.uniform(*bench.STOP_AT) * len(np.load(played)) / 24000)
                room.say(wav)
                result = glimmer.result()
                heard = result["heard"]
                log.write(json.dumps({"kind": "stop" if phrase in STOPS else "other", "phrase": phrase,
                                      "voice": f"{family} {voice}", "first": first, "last": saved(),
                                      "heard": heard, "read": result["let_go"]}) + "\n")
                if heard:
                    time.sleep(bench.SETTLE_S)
        finally:
            glimmer.close()


def table(out: Path) -> None:
    """Score the saved utterances and print, per deficit allowed, what would be taken for a stop or pause."""
    from assistant.config import SttSettings
    from assistant.controls import parse_control
    from assistant.speech.barge_in import WATCHED
    from assistant.speech.control_confirm import load_control_confirmer
    from assistant.speech.transcribe import make_transcriber

    transcriber = make_transcriber(SttSettings())
    confirmer = load_control_confirmer(transcriber.choice.model)
    trials = [json.loads(line) for line in (out / "trials.jsonl").read_text().splitlines()]
    scored = []
    for trial in trials:
        utterances = [np.load(out / f"u{i:05d}.npy") for i in range(trial["first"], trial["last"])]
        scored.append((trial["kind"], [confirmer.closest(u, max(DEFICITS)).deficit for u in utterances],
                       any(parse_control(transcriber.transcribe(u).text) in WATCHED for u in utterances)))
    kinds = {"stop": "stops heard", "other": "other phrases taken", "own": "own passages stopped"}
    counts = {kind: sum(k == kind for k, _, _ in scored) for kind in kinds}
    print("deficit  " + "  ".join(f"{label} (of {counts[kind]})" for kind, label in kinds.items()))
    for most in DEFICITS:
        taken = defaultdict(int)
        for kind, deficits, free in scored:
            taken[kind] += free or any(d <= most for d in deficits)
        print(f"{most:7.1f}  " + "  ".join(f"{taken[kind]:>{len(label) + 6}}" for kind, label in kinds.items()))
    free = defaultdict(int)
    for kind, _, read in scored:
        free[kind] += read
    print("free reading alone: " + ", ".join(f"{kinds[k]} {free[k]}" for k in kinds))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the utterances here (default: a temporary folder)")
    parser.add_argument("--scored", action="store_true", help="only score what --out already holds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.scored:
            collect(folder)
        table(folder)
