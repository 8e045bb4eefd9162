"""Stalls bench, live: Glimmer's own voice through a real sound server while the process stalls.

    python -m scripts.bench_stalls [--quick]            (BENCH_LOG=FILE keeps Glimmer's side's debug log)

The child process is Glimmer's listening side, as in scripts/bench_barge_in.py, with an answer allowed to go
on for the whole passage (as for keep_open_s after an answer that ended early). A moment into each of its own
passages (which say "stop" and "pause") the child is stopped (SIGSTOP) for a while and then let go on, as
when the CPU is busy elsewhere: the speaker runs dry, so the rest plays later, and the microphone's backlog
arrives at once. Nobody speaks: every stop and every answer going on that is heard is a false one.
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from pathlib import Path

from scripts.bench_barge_in import CHILD_SETUP, LOOPBACK_DB, Glimmer, glimmer_voice
from scripts.live_room import Room

STALL_AT_S = 2.5
STALLS_S = (0.0, 0.12, 0.27, 0.6)   # none, shorter than the speaker's buffer (0.2 s), a little and much longer
PASSAGES = ("You can say stop, pause or skip whenever you like. There is no hurry, and nothing you need to get "
            "right. Let your shoulders soften, and notice where your body meets the bed.",
            "If you would like to stop at any point, just say so. Take a slow breath in, and let it go at its "
            "own pace. Notice one sound in the room, near or far, without needing to name it.")

CHILD = CHILD_SETUP + r'''
from assistant.speech.barge_in import VoiceOver

for line in sys.stdin:
    request = json.loads(line)
    underruns = speaker.underruns
    speaker.play(np.load(request["voice"]), 24000, request["text"])
    barge_in.expect_voice(time.monotonic() + 60.0)
    heard = barge_in.watch(microphone, until_done=True)
    speaker.wait_done()
    barge_in.expect_voice(None)
    print(json.dumps({"heard": "goes on" if isinstance(heard, VoiceOver) else heard and heard.text,
                      "delay_s": barge_in.delay_s, "underruns": speaker.underruns - underruns}), flush=True)
'''


def run(quick: bool = False) -> dict:
    """Measure, print a table, return {"stalls.<stall>.<metric>": value}."""
    rounds = 1 if quick else 3
    rows: dict[float, list[dict]] = {stall: [] for stall in STALLS_S}
    with tempfile.TemporaryDirectory() as name, Room(loopback_db=LOOPBACK_DB, hiss_dbfs=-70) as room:
        voices = [glimmer_voice(text, Path(name), n) for n, text in enumerate(PASSAGES)]
        glimmer = Glimmer(room, CHILD)
        try:
            glimmer.play(voices[0], PASSAGES[0])   # the first passage finds the echo's delay
            glimmer.result()
            for _ in range(rounds):
                for stall_s in STALLS_S:
                    for voice, text in zip(voices, PASSAGES, strict=True):
                        glimmer.play(voice, text)
                        if stall_s:
                            time.sleep(STALL_AT_S)
                            os.kill(glimmer.proc.pid, signal.SIGSTOP)
                            time.sleep(stall_s)
                            os.kill(glimmer.proc.pid, signal.SIGCONT)
                        rows[stall_s].append(glimmer.result())
        finally:
            glimmer.close()
    print(f"its own passages, nobody speaking, stopped once {STALL_AT_S} s in (loop-back {LOOPBACK_DB:.0f} dB):")
    print(f"  {'stall':>6s} {'passages':>9s} {'ran dry':>8s} {'false stops':>12s} {'false goes on':>14s}")
    figures = {}
    for stall_s, results in rows.items():
        stops = [r["heard"] for r in results if r["heard"] not in (None, "goes on")]
        goes_on = sum(r["heard"] == "goes on" for r in results)
        dry = sum(r["underruns"] > 0 for r in results)
        print(f"  {stall_s:5.2f}s {len(results):9d} {dry:8d} {len(stops):12d} {goes_on:14d}  {stops or ''}")
        figures |= {f"stalls.{stall_s:g}s.passages": len(results), f"stalls.{stall_s:g}s.ran_dry": dry,
                    f"stalls.{stall_s:g}s.false_stops": len(stops), f"stalls.{stall_s:g}s.false_goes_on": goes_on}
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round instead of three")
    run(parser.parse_args().quick)
