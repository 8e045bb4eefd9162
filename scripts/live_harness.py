"""Hear a whole Glimmer session without sound hardware: `glimmer run` on PulseAudio virtual devices.

A private PulseAudio server stands in for the bedroom (scripts/live_room.py). The person's side is a list
of WAV turns played into the microphone in real time, each once Glimmer has been quiet for a moment after
it spoke (after the prompt that contains CUE, when a turn is given as CUE=FILE). Glimmer's speaker is
recorded; it can be looped back into the room at -10 dB, with a faint hiss, as on a nightstand.

    python scripts/live_harness.py demo/turns/*.wav --journal out/live.db --speaker-wav out/speaker.wav
    python scripts/live_harness.py --loopback-db -10 --hiss-dbfs -70 hey.wav 'moment like that=answer.wav'

Events go to stdout as JSON lines (as from `glimmer run`); Glimmer's log (-v) goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.live_room import EAR_RATE, Room  # noqa: E402  (run as a script, from any folder)

READY_LINE = "ready: listening for the wake phrase"
STOP_WAIT_S = 15.0    # Glimmer gives up its tidy exit after 5 s (cli/run.py); past this it is killed


@dataclass(frozen=True)
class Turn:
    """What the person says (a WAV), after the prompt containing `cue` (None: after whatever Glimmer said
    last), once the speaker has been quiet for `after_s`."""

    wav: Path
    cue: str | None = None
    after_s: float = 1.8


@dataclass
class Session:
    """What came out of one live conversation."""

    events: list[dict] = field(default_factory=list)
    log: str = ""
    returncode: int | None = None
    late: list[str] = field(default_factory=list)   # turns whose cue or quiet never came
    stop_s: float | None = None                      # from SIGTERM to exit (None: it ended by itself)


class Conversation:
    """`glimmer run` on the room's devices, with the person's turns played as Glimmer falls quiet."""

    def __init__(self, room: Room, glimmer_args: list[str], timeout_s: float = 300.0) -> None:
        self.room = room
        self.args = glimmer_args
        self.timeout_s = timeout_s
        self.session = Session()
        self._event_times: list[float] = []
        self._changed = threading.Condition()

    def run(self, turns: list[Turn], stderr_to: int | None = None, stop_at: str = "idle") -> Session:
        """Play `turns`; stop Glimmer (SIGTERM) at its first `stop_at` event after the last one (or at the
        timeout). Past STOP_WAIT_S after SIGTERM it is killed (returncode -9)."""
        command = [sys.executable, "-m", "assistant.cli", "-v", *self.args]
        proc = subprocess.Popen(command, cwd=REPO, env=dict(self.room.env, PYTHONUNBUFFERED="1"), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        log: list[str] = []
        readers = [threading.Thread(target=self._read_events, args=(proc,), daemon=True),
                   threading.Thread(target=self._read_log, args=(proc, log, stderr_to), daemon=True)]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + self.timeout_s
        stopping: float | None = None
        try:
            if self._wait(lambda: READY_LINE in "".join(log) or proc.poll() is not None, deadline):
                played = self._play(turns, deadline)
                self._wait(lambda: any(e["event"] == stop_at for e in self._events_after(played)), deadline)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                stopping = time.monotonic()
            try:
                proc.wait(timeout=STOP_WAIT_S)
                if stopping is not None:
                    self.session.stop_s = time.monotonic() - stopping
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for reader in readers:
                reader.join(timeout=5)
        self.session.returncode = proc.returncode
        self.session.log = "".join(log)
        return self.session

    def _play(self, turns: list[Turn], deadline: float) -> float:
        """Say each turn when its time comes; returns when the last one was said."""
        said = time.monotonic()
        for turn in turns:
            since = said
            if turn.cue is not None:
                if not self._wait(lambda cue=turn.cue, after=said: self._cue_time(cue, after) is not None, deadline):
                    self.session.late.append(f"{turn.wav.name}: no prompt containing {turn.cue!r}")
                    return said
                since = self._cue_time(turn.cue, said)
            if said != since or turn is not turns[0]:
                if not self.room.ear.wait_for_silence(since, turn.after_s, max(0.0, deadline - time.monotonic())):
                    self.session.late.append(f"{turn.wav.name}: Glimmer never fell quiet")
                    return said
            self.room.say(turn.wav)
            said = time.monotonic()
        return said

    def _cue_time(self, cue: str, after: float) -> float | None:
        with self._changed:
            for at, event in zip(self._event_times, self.session.events, strict=True):
                if at > after and event["event"] == "say" and cue.lower() in event["text"].lower():
                    return at
        return None

    def _events_after(self, t: float) -> list[dict]:
        with self._changed:
            return [e for at, e in zip(self._event_times, self.session.events, strict=True) if at > t]

    def _wait(self, condition, deadline: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: condition() or time.monotonic() > deadline,
                                          timeout=max(0.0, deadline - time.monotonic())) and condition()

    def _read_events(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            with self._changed:
                try:
                    self.session.events.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
                self._event_times.append(time.monotonic())
                self._changed.notify_all()

    def _read_log(self, proc: subprocess.Popen, log: list[str], echo: int | None) -> None:
        for line in proc.stderr:
            with self._changed:
                log.append(line)
                self._changed.notify_all()
            if echo is not None:
                os.write(echo, line.encode())


def parse_turn(spec: str, after_s: float) -> Turn:
    """FILE, or CUE=FILE (said after the prompt that contains CUE)."""
    cue, _, wav = spec.rpartition("=")
    path = Path(wav)
    if not path.is_file():
        raise SystemExit(f"live_harness: {path}: no such file")
    return Turn(path, cue or None, after_s)


def main() -> int:
    """Start the room, run one conversation, stop the room."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("turns", nargs="+", metavar="[CUE=]WAV", help="the person's turns, in order")
    parser.add_argument("--after", type=float, default=1.8, help="seconds of quiet before the person speaks")
    parser.add_argument("--loopback-db", type=float, help="loop the speaker back into the room at this gain")
    parser.add_argument("--hiss-dbfs", type=float, help="steady hiss in the room at this level")
    parser.add_argument("--speaker-wav", help="write what the speaker played to this WAV")
    parser.add_argument("--timeout", type=float, default=600.0, help="give up after this many seconds")
    parser.add_argument("--journal", help="the journal Glimmer keeps (default: its own)")
    parser.add_argument("--config", help="config.yaml for Glimmer")
    args = parser.parse_args()
    turns = [parse_turn(spec, args.after) for spec in args.turns]
    extra = [*(["--journal", args.journal] if args.journal else []),
             *(["--config", args.config] if args.config else [])]
    with Room(args.loopback_db, args.hiss_dbfs) as room:
        session = Conversation(room, [*extra, "run"], args.timeout).run(turns, stderr_to=sys.stderr.fileno())
        for event in session.events:
            print(json.dumps(event))
        if args.speaker_wav:
            from assistant.audio.wav import write_wav

            write_wav(args.speaker_wav, room.ear.recording, EAR_RATE)
    for problem in session.late:
        print(f"live_harness: {problem}", file=sys.stderr)
    return 0 if session.returncode == 0 and not session.late else 1


if __name__ == "__main__":
    sys.exit(main())
