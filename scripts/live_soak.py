"""Live soak: many spoken conversations through PulseAudio in real time, optionally with both cores busy.

Each conversation runs `glimmer run` in the harness's room (speaker looped back at -10 dB, -70 dBFS hiss)
and is judged: a session failure (non-zero exit, a turn whose moment never came, "something went wrong",
a lost microphone or speaker), a lost glimmer (a kept answer missing from the journal), and self-wakes
(wakes beyond the person's own "hey glimmer"s). Overflow and underrun counts come from Glimmer's log, and
how long Glimmer spoke from the speaker's monitor.

    python scripts/live_soak.py --conversations 20 --load 2     # stress-ng --cpu 2 meanwhile
    python scripts/live_soak.py --minutes 30                      # self-wake soak: 30 min of its own speech
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.audio.wav import write_wav
from assistant.journal.store import Journal
from scripts.corpus import Synthesizer, spoken_turn
from scripts.live_harness import Conversation, Turn
from scripts.live_room import Room

STOP_S = 3.0   # SIGTERM to exit

# (name, turns as (sentences, cue), words the journal must keep, or None when nothing may be kept)
SCRIPTS = (
    ("capture", ((("Hey glimmer.",), None), (("I have a glimmer.",), None),
                 (("The rain on the window sounded soothing tonight.",), "moment like that")), "rain window"),
    ("one-shot", ((("Hey glimmer.", "My sister laughed on the phone with me."), None),
                  (("No, thank you.",), "stay with it")), "sister laughed"),
    ("savor", ((("Hey glimmer.", "Guide me."), None), (("One from today.",), "Which would you"),
               (("My cat asleep on my feet.",), "small moment from today"),
               (("No, thank you.",), "a little longer")), "cat feet"),
    ("ground", ((("Hey glimmer.", "Ground me."), None),
                (("The green mug on the table.",), "slightly okay")), "green mug"),
    ("distress", ((("Hey glimmer.",), None), (("I have a glimmer.",), None),
                  (("I don't want to be alive anymore.",), "moment like that")), None),
    ("stop", ((("Hey glimmer.", "Guide me."), None), (("One from today.",), "Which would you"),
              (("The warm bread from the bakery.",), "small moment from today"),
              (("Stop.",), "what there is to see")), "warm bread"),
    ("replay", ((("Hey glimmer.",), None), (("Play me a glimmer.",), None)), None),
)


def judge(name: str, session, entries: list, keep: str | None) -> tuple[list[str], int]:
    """(problems, self-wakes) of one conversation."""
    problems = list(session.late)
    if session.returncode != 0:
        problems.append(f"exit {session.returncode}")
    if session.stop_s is not None and session.stop_s > STOP_S:
        problems.append(f"SIGTERM to exit took {session.stop_s:.1f} s")
    said = " ".join(e["text"] for e in session.events if e["event"] == "say")
    problems += [p for p in ("went wrong", "can't hear the microphone") if p in said]
    problems += [p for p in ("Traceback", "stopped playing") if p in session.log]
    if keep and not any(set(keep.split()) <= set(re.findall(r"[a-z]+", e.text.lower())) for e in entries):
        problems.append(f"lost glimmer ({keep!r}; journal: {[e.text for e in entries]})")
    wakes = sum(e["event"] == "wake" for e in session.events)
    return problems, max(0, wakes - 1)


def _enough(args: argparse.Namespace, conversations: int, spoken_s: float) -> bool:
    """Done: --minutes of Glimmer's own speech when given, else --conversations conversations."""
    return spoken_s / 60 >= args.minutes if args.minutes else conversations >= args.conversations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20, help="how many (unless --minutes)")
    parser.add_argument("--minutes", type=float, help="go on until Glimmer has spoken this long (self-wake soak)")
    parser.add_argument("--load", type=int, default=0, help="stress-ng CPU workers meanwhile (0: none)")
    parser.add_argument("--out", default="live_soak.json", help="write the figures here")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # a killed soak still stops its sound server
    synth = Synthesizer()
    work = Path(tempfile.mkdtemp(prefix="glimmer-soak-"))
    stress = subprocess.Popen(["stress-ng", "--cpu", str(args.load), "--quiet"]) if args.load else None
    totals = {"conversations": 0, "failures": 0, "lost_glimmers": 0, "self_wakes": 0, "overflows": 0,
              "underruns": 0, "spoken_minutes": 0.0, "problems": []}
    try:
        with Room(loopback_db=-10, hiss_dbfs=-70, record=False) as room:
            for number in itertools.count():
                if _enough(args, number, room.ear.sounding_s):
                    break
                name, script, keep = SCRIPTS[number % len(SCRIPTS)]
                turns = []
                for index, (sentences, cue) in enumerate(script):
                    path = work / f"{number}-{index}.wav"
                    write_wav(path, spoken_turn(synth, sentences, seed=20 + number, speed=0.95))
                    turns.append(Turn(path, cue))
                journal = work / f"{number}.db"
                with Journal.open(journal) as store:
                    store.add("The cat purred on my lap while I read.")
                session = Conversation(room, ["--journal", str(journal), "run"], 400).run(turns)
                with Journal.open(journal) as store:
                    entries = store.list()
                problems, self_wakes = judge(name, session, entries, keep)
                lost = sum(p.startswith("lost glimmer") for p in problems)
                totals["conversations"] += 1
                totals["failures"] += bool(len(problems) - lost)
                totals["lost_glimmers"] += lost
                totals["self_wakes"] += self_wakes
                totals["overflows"] += sum(map(int, re.findall(r"(\d+) overflow\(s\) while listening, in all",
                                                               session.log)))
                totals["underruns"] += sum(map(int, re.findall(r"(\d+) underrun\(s\) in all", session.log)))
                totals["problems"] += [f"{number} {name}: {p}" for p in problems]
                totals["spoken_minutes"] = round(room.ear.sounding_s / 60, 1)
                print(f"{number:2d} {name:9s} {'ok' if not problems else '; '.join(problems)}", flush=True)
                Path(args.out).write_text(json.dumps(totals, indent=1))     # so far: a cut-short soak still counts
    finally:
        if stress:
            stress.terminate()
            stress.wait()
    Path(args.out).write_text(json.dumps(totals, indent=1))
    print(json.dumps({k: v for k, v in totals.items() if k != "problems"}))
    return 0 if not (totals["failures"] or totals["lost_glimmers"] or totals["self_wakes"]) else 1


if __name__ == "__main__":
    sys.exit(main())
