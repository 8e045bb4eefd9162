"""Choose barge_in.MOST_DEFICIT, WIDEN_S and MOST_PRIMED_DEFICIT on dev voices, live: none of the barge-in
bench's voices.

    python -m scripts.barge_in_deficit [--harder] [--out DIR [--scored]]

In the bench's room (scripts/live_room.py, the speaker looped back at -10 dB), Glimmer plays its practices'
passages while people in DEV_VOICES say stop and pause phrases (STOPS) and everyday words and sound-alikes
(OTHERS) over it; every utterance the barge-in reads is saved, with what it heard before it. Each is then
scored by the closed question (speech/control_confirm.py) and read freely, and the table shows, for each deficit
allowed, how many stops are heard and how many other phrases and stretches of Glimmer's own practices would be
taken for one; a second table, the same at MOST_DEFICIT when an utterance the question does not find is asked
again with WIDENINGS seconds of what came before it; a third, the same with the utterance then asked primed
(control_confirm.PRIMER) at each of PRIMED_DEFICITS when the plain question left a phrase within PRIMED_FROM.
`--harder`: HARDER_VOICES, which Whisper reads worse, saying HARDER_STOPS (the bench's mix, "Pause." twice as
often) eight times, and no passages alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE
from scripts import bench_barge_in as bench
from scripts.live_room import Room

DEV_VOICES = (("flite", "kal"), ("festival", "voice_kal_diphone"), ("espeak", "en+m5"), ("espeak", "en-us+f2"),
              ("espeak", "en-gb-scotland+m1"), ("kokoro", "jf_gongitsune"), ("kokoro", "jf_tebukuro"),
              ("kokoro", "mix:0,0.5,0,0.5,0"), ("kokoro", "mix:0.3,0,0.7,0,0"), ("espeak", "en-us+f4"))
STOPS = ("Stop.", "Pause.", "Wait.", "Be quiet.", "Stop, please.", "Stop it.", "Hold on.", "Wait a moment.")
OTHERS = ("Yes.", "Okay.", "Thank you.", "That's nice.", "The bus stop.", "I stopped.", "Hmm.", "I like that.",
          "Wait for me.", "Stop sign.", "Top.", "Shop.", "Paws.", "Hey.", "Bye.", "Start.", "Weight.", "Please.",
          "Quite.", "Oh, wow.", "Sorry.", "No.", "Stuff.", "First.", "Boss.")
HARDER_VOICES = (("flite", "kal"), ("festival", "voice_kal_diphone"), ("espeak", "en+m7"), ("espeak", "en-us+f5"),
                 ("espeak", "en-gb-x-rp+m2"), ("kokoro", "jf_gongitsune"), ("kokoro", "jf_tebukuro"),
                 ("kokoro", "mix:0,0.4,0,0.6,0"), ("kokoro", "mix:0,0.6,0.2,0.2,0"), ("espeak", "en-us+m4"))
HARDER_STOPS = ("Stop.", "Stop.", "Pause.", "Pause.", "Wait.", "Be quiet.", "Stop, please.", "Hold on.")
DEFICITS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0)
WIDENINGS = (0.5, 0.8, 1.0)
PRIMED_DEFICITS = (0.5, 1.0, 1.5, 2.0, 2.5)
SAVING = '''
import collections, itertools
_count = itertools.count()
class SavingBargeIn(BargeIn):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept = collections.deque(maxlen=100)   # the last 3 s of cancelled frames
    def _segment(self, heard, clean, near, at):
        self._kept.append(clean)
        return super()._segment(heard, clean, near, at)
    def _read(self, audio, widened, started, ended):
        before = np.concatenate(self._kept)[:-audio.size]
        np.savez(f"{OUT}/u{next(_count):05d}.npz", utterance=audio, before=before)
        return super()._read(audio, widened, started, ended)
BargeIn = SavingBargeIn
'''


def collect(out: Path, harder: bool = False) -> None:
    """Play, speak over it, and save every utterance read (u*.npy) and what each trial was (trials.jsonl)."""
    voices_said, stops, copies = (HARDER_VOICES, HARDER_STOPS, 8) if harder else (DEV_VOICES, STOPS, 5)
    overlap = {v for _, v in voices_said} & {v for _, v in bench.VOICES + bench.NATURAL_VOICES}
    assert not overlap, f"dev voices must not be the bench's: {overlap}"
    child = bench.CHILD.replace("reads = Reads()", SAVING.replace("{OUT}", str(out)) + "\nreads = Reads()")
    trials = [(p, *voices_said[i % len(voices_said)]) for i, p in enumerate(stops * copies)] + \
             [(p, *voices_said[(3 * i) % len(voices_said)]) for i, p in enumerate(OTHERS * 2)]
    rng = np.random.default_rng(7 if harder else 5)
    texts = bench.passages()
    saved = lambda: len(list(out.glob("u*.npz")))  # noqa: E731
    with open(out / "trials.jsonl", "w") as log, tempfile.TemporaryDirectory() as name, \
            Room(loopback_db=bench.LOOPBACK_DB, hiss_dbfs=bench.HISS_DBFS) as room:
        folder = Path(name)
        voices = [bench.glimmer_voice(text, folder, n) for n, text in enumerate(texts)]
        glimmer = bench.Glimmer(room, child)
        try:
            for voice, text in zip(voices[:1] if harder else voices, texts, strict=False):
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
                log.write(json.dumps({"kind": "stop" if phrase in stops else "other", "phrase": phrase,
                                      "voice": f"{family} {voice}", "first": first, "last": saved(),
                                      "heard": heard, "read": result["let_go"]}) + "\n")
                if heard:
                    time.sleep(bench.SETTLE_S)
        finally:
            glimmer.close()


def table(out: Path) -> None:
    """Score the saved utterances and print, per deficit allowed and per widening, what would be taken for a
    stop or pause."""
    from assistant.config import SttSettings
    from assistant.controls import parse_control
    from assistant.speech.barge_in import MOST_DEFICIT, PRIMED_FROM, WATCHED, WIDEN_S
    from assistant.speech.control_confirm import load_control_confirmer
    from assistant.speech.transcribe import make_transcriber

    transcriber = make_transcriber(SttSettings())
    confirmer = load_control_confirmer(transcriber.choice.model)
    trials = [json.loads(line) for line in (out / "trials.jsonl").read_text().splitlines()]
    scored = []       # per trial: its kind, then per utterance (deficit, deficit per widening, read as a control,
                      # deficit asked primed)
    for trial in trials:
        utterances = []
        for i in range(trial["first"], trial["last"]):
            with np.load(out / f"u{i:05d}.npz") as saved:
                audio, before = saved["utterance"], saved["before"]
            widened = [np.concatenate([before[-int(w * SAMPLE_RATE):], audio]) for w in WIDENINGS]
            encoded = confirmer.encode(audio)      # asked plainly and primed
            utterances.append((confirmer.closest_of(confirmer.likely(encoded, max(*DEFICITS, PRIMED_FROM))).deficit,
                               [confirmer.closest(wide, MOST_DEFICIT).deficit for wide in widened],
                               parse_control(transcriber.transcribe(audio).text) in WATCHED,
                               confirmer.closest_of(confirmer.likely(encoded, max(PRIMED_DEFICITS), primed=True)
                                                    ).deficit))
        scored.append((trial["kind"], utterances))
    kinds = {"stop": "stops heard", "other": "other phrases taken", "own": "own passages stopped"}
    counts = {kind: sum(k == kind for k, _ in scored) for kind in kinds}
    header = "  ".join(f"{label} (of {counts[kind]})" for kind, label in kinds.items())

    def row(first: str, taken_by) -> None:
        taken = defaultdict(int)
        for kind, utterances in scored:
            taken[kind] += any(taken_by(*u) for u in utterances)
        print(f"{first:>7}  " + "  ".join(f"{taken[kind]:>{len(label) + 6}}" for kind, label in kinds.items()))

    print("deficit  " + header)
    for most in DEFICITS:
        row(f"{most:.1f}", lambda deficit, _, free, __, most=most: deficit <= most or free)
    row("free", lambda _, __, free, ___: free)
    print(f"widened  {header}   (deficit {MOST_DEFICIT}; the utterance first, then widened, then read freely)")
    for n, w in enumerate(WIDENINGS):
        row(f"{w:.1f} s", lambda deficit, wide, free, _, n=n: deficit <= MOST_DEFICIT or wide[n] <= MOST_DEFICIT
            or free)
    at = WIDENINGS.index(WIDEN_S)
    print(f"primed   {header}   (the utterance, then primed within this deficit, then widened by {WIDEN_S} s, "
          "then read freely)")
    for most in PRIMED_DEFICITS:
        row(f"{most:.1f}", lambda deficit, wide, free, primed, most=most: deficit <= MOST_DEFICIT
            or (primed <= most and deficit <= PRIMED_FROM) or wide[at] <= MOST_DEFICIT or free)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the utterances here (default: a temporary folder)")
    parser.add_argument("--scored", action="store_true", help="only score what --out already holds")
    parser.add_argument("--harder", action="store_true",
                        help="voices Whisper reads worse, more stops, no passages alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.out or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if not args.scored:
            collect(folder, args.harder)
        table(folder)
