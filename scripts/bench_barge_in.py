"""Barge-in bench, live: "stop" said over Glimmer's own voice through a real sound server.

    python -m scripts.bench_barge_in [--quick]          (BENCH_LOG=FILE keeps Glimmer's side's debug log)
    python -m scripts.bench_barge_in --own-minutes 60   (false stops only: its own practices for an hour)

The room is scripts/live_room.py (PulseAudio null sinks, the speaker looped back into the microphone at
LOOPBACK_DB, a -70 dBFS hiss). Glimmer's side runs in a child process on the room's devices, as the
assistant does: a Speaker, a Microphone and a BargeIn kept for the whole run (it keeps the echo's delay).
- Stops: each trial plays a practice passage (hibari, the shipped voice) and, STOP_AT of the way into it, a
  person says a stop or pause phrase into the room at a normal level (PERSON_DBFS), in a voice of another
  engine: 40 trials in robotic and diphone voices (VOICES: flite, espeak-ng, festival), then 40 in natural
  neural voices (NATURAL_VOICES: Kokoro's, mixes of them, and Piper's joe, built from a real man's
  recordings), counted apart. Recall: trials whose phrase was
  acted on; latency: from the phrase's last sound (where its waveform ends in what the microphone heard) to
  the speaker's last sound (the acceptance: within 0.7 s).
- False stops: the built-in practices' own passages (which say "stop" and "pause" in their prompts) played
  with nobody speaking; false stops per hour of playback, and how often the voice was held (a moment's
  silence) while something heard over it was read.
- CPU: the child's CPU seconds per second of playback while listening over the voice.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from contextlib import closing, nullcontext
from pathlib import Path

import numpy as np
import yaml

from assistant.audio.frames import SAMPLE_RATE, to_int16
from assistant.audio.wav import read_wav, write_wav
from scripts.live_room import Ear, Room
from scripts.wake_voices import speak

REPO = Path(__file__).resolve().parent.parent
LOOPBACK_DB = -10.0
HISS_DBFS = -70.0
PERSON_DBFS = -23.0          # active RMS of a person at a normal level (as in the echo bench)
STOP_AT = (0.3, 0.7)         # the phrase comes this far into the passage (a share of its length, uniformly)
PHRASES = ("Stop.", "Stop.", "Pause.", "Wait.", "Be quiet.", "Stop, please.")
VOICES = (("flite", "awb"), ("flite", "slt"), ("flite", "rms"), ("espeak", "en-us+m3"), ("espeak", "en-gb+f3"),
          ("flite", "kal16"), ("espeak", "en-us"), ("festival", "voice_cmu_us_slt_arctic_hts"))
NATURAL_VOICES = (("kokoro", "jf_alpha"), ("kokoro", "jm_kumo"), ("kokoro", "mix:0.6,0,0,0,0.4"),
                  ("kokoro", "jf_nezumi"), ("kokoro", "mix:0,0.3,0,0.3,0.4"), ("piper", "joe"),
                  ("kokoro", "mix:0,0,0.5,0.2,0.3"))   # 7 voices, 6 phrases: each voice says every phrase
SETTLE_S = 2.0               # after a stop: the speaker's last sound is looked for this long after the word

# Glimmer's listening side, as the assistant sets it up; the benches add what each trial does.
CHILD_SETUP = r'''
import json, logging, os, sys, time
if os.environ.get('BENCH_LOG'):   # the child's debug log, for looking into a run
    logging.basicConfig(filename=os.environ['BENCH_LOG'], level=logging.DEBUG,
                        format='%(relativeCreated)d %(name)s %(message)s')
import numpy as np
from assistant.audio.echo import SpeexCanceller
from assistant.audio.sinks import Speaker
from assistant.audio.sources import Microphone
from assistant.config import SttSettings
from assistant.speech.barge_in import BargeIn
from assistant.speech.control_confirm import load_control_confirmer
from assistant.speech.transcribe import make_transcriber

class Reads(logging.Handler):
    """What the barge-in read over the voice and let go (its debug lines), for the table."""
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []
    def emit(self, record):
        self.lines.append(record.getMessage())

reads = Reads()
logger = logging.getLogger("assistant.speech.barge_in")
logger.setLevel(logging.DEBUG)
logger.addHandler(reads)
speaker, microphone = Speaker(None), Microphone(None)
transcriber = make_transcriber(SttSettings())
barge_in = BargeIn(speaker, transcriber, SpeexCanceller(), confirmer=load_control_confirmer(transcriber.choice.model))
print(json.dumps({"ready": True}), flush=True)
'''
CHILD = CHILD_SETUP + r'''
for line in sys.stdin:
    request = json.loads(line)
    voice = np.load(request["voice"])
    reads.lines.clear()
    speaker.play(voice, 24000, request["text"])
    began, cpu = time.monotonic(), time.process_time()
    word = barge_in.watch(microphone, until_done=True)
    speaker.wait_done()
    print(json.dumps({"heard": word.text if word else None, "delay_s": barge_in.delay_s,
                      "delay_moves": barge_in.delay_moves,
                      "seconds": time.monotonic() - began, "cpu_s": time.process_time() - cpu,
                      "let_go": [l.split(": ", 1)[1] for l in reads.lines
                                 if l.startswith("over the voice") and not l.startswith("over the voice, held")],
                      "tape": [l for l in reads.lines if l.startswith("the speaker played")],
                      "holds": sum(l.startswith("over the voice, held") for l in reads.lines),
                      "overflows": microphone.overflows}),
          flush=True)
'''


def passages() -> list[str]:
    """The built-in practices' spoken passages of 15 words or more (the ones a person might talk over)."""
    texts = []
    for path in sorted((REPO / "assistant" / "practices" / "builtin").glob("*.yaml")):
        for step in yaml.safe_load(path.read_text())["steps"]:
            if isinstance(step.get("say"), str) and len(step["say"].split()) >= 15 and "{" not in step["say"]:
                texts.append(" ".join(step["say"].split()))
    return texts


def glimmer_voice(text: str, folder: Path, number: int) -> Path:
    """The passage in the shipped voice (24 kHz float, 0.8 speed as configured), saved for the child."""
    from assistant.speech.voices.hibari_voice import HibariVoice

    samples, _ = HibariVoice("", 0.8).synthesize(text)
    path = folder / f"voice{number}.npy"
    np.save(path, np.asarray(samples, np.float32) * 0.8)
    return path


def person(phrase: str, family: str, voice: str, folder: Path, number: int) -> Path:
    """The phrase in another engine's voice at PERSON_DBFS, as a WAV with no silence after it."""
    samples = speak(family, voice, phrase, 1.0, number)
    samples = samples / (np.sqrt(np.mean(samples[np.abs(samples) > 0.01] ** 2)) + 1e-9) * 10 ** (PERSON_DBFS / 20)
    loud = np.nonzero(np.abs(samples) > 10 ** (-50 / 20))[0]
    path = folder / f"person{number}.wav"
    write_wav(path, to_int16(np.clip(samples[:loud[-1] + 1], -1, 1)))
    return path


class Glimmer:
    """The child process on the room's devices."""

    def __init__(self, room: Room, child: str = CHILD) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", child], cwd=REPO, env=room.env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert json.loads(self.proc.stdout.readline())["ready"]
        self.last: dict = {}        # the last result

    def play(self, voice: Path, text: str) -> None:
        self.proc.stdin.write(json.dumps({"voice": str(voice), "text": text}) + "\n")
        self.proc.stdin.flush()

    def result(self) -> dict:
        self.last = json.loads(self.proc.stdout.readline())
        return self.last

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run(quick: bool = False, own_minutes: float | None = None) -> dict:
    """Measure, print a table, return {"barge_in.<metric>": value}. `own_minutes`: only its own practices,
    played over and over until they have played this long (no stops said)."""
    rng = np.random.default_rng(11)
    texts = passages()
    trials = 8 if quick else 40
    with tempfile.TemporaryDirectory() as name, Room(loopback_db=LOOPBACK_DB, hiss_dbfs=HISS_DBFS) as room:
        folder = Path(name)
        voices = [glimmer_voice(text, folder, n) for n, text in enumerate(texts)]
        glimmer = Glimmer(room)
        try:
            # The first passage teaches the echo's delay (it is measured again while the voice plays).
            glimmer.play(voices[0], texts[0])
            false_stops, played_s, cpu_s, holds = [], 0.0, 0.0, 0
            if (first_result := glimmer.result())["heard"] is not None:
                false_stops.append(_false_stop(first_result))
            holds += first_result["holds"]
            first = 1 if quick else 0
            own = list(zip(voices[first:], texts[first:], strict=True))
            for number, (voice, text) in enumerate(itertools.cycle(own) if own_minutes else own):
                if own_minutes and played_s >= 60 * own_minutes:
                    break
                glimmer.play(voice, text)
                result = glimmer.result()
                if result["heard"] is not None:
                    false_stops.append(_false_stop(result))
                holds += result["holds"]
                played_s, cpu_s = played_s + result["seconds"], cpu_s + result["cpu_s"]
                if quick and number >= 3:
                    break
            sets = {} if own_minutes else {
                "robotic": [(PHRASES[n % len(PHRASES)], *VOICES[n % len(VOICES)]) for n in range(trials)],
                "natural": [(PHRASES[n % len(PHRASES)], *NATURAL_VOICES[n % len(NATURAL_VOICES)])
                            for n in range(trials)]}
            with closing(Ear(room, device="room.monitor", rate=SAMPLE_RATE)) if sets else nullcontext() as ear:
                outcomes = {name: _stops(room, ear, glimmer, folder, rng, voices, texts, said, 1000 * k)
                            for k, (name, said) in enumerate(sets.items())}
            delay_s, delay_moves, overflows = (glimmer.last[key] for key in ("delay_s", "delay_moves", "overflows"))
        finally:
            glimmer.close()
    figures: dict = {"false_stops": len(false_stops), "played_min": round(played_s / 60, 1), "holds": holds,
                     "echo_delay_ms": round(1000 * delay_s) if delay_s is not None else None,
                     "echo_delay_moves": delay_moves, "microphone_overflows": overflows,
                     "false_stops_per_h": round(len(false_stops) / max(played_s, 1) * 3600, 2),
                     "cpu_per_audio_s": round(cpu_s / max(played_s, 1), 3)}
    print(f"barge-in, live (loop-back {LOOPBACK_DB:.0f} dB, person at {PERSON_DBFS:.0f} dBFS):")
    for name, (heard, latencies, missed, late) in outcomes.items():
        prefix = "" if name == "robotic" else f"{name}_"
        figures |= {f"{prefix}stops_heard": heard, f"{prefix}stops_tried": len(sets[name]),
                    f"{prefix}person_start_ms": round(1000 * float(np.median(late))) if late else None,
                    f"{prefix}latency_median_s": round(float(np.median(latencies)), 2) if latencies else None,
                    f"{prefix}latency_max_s": round(float(np.max(latencies)), 2) if latencies else None,
                    f"{prefix}within_0_7_s": sum(latency <= 0.7 for latency in latencies)}
        print(f"  {name} voices: {heard}/{len(sets[name])} stops acted on, silent after the word's end: median "
              f"{figures[prefix + 'latency_median_s']} s, max {figures[prefix + 'latency_max_s']} s, "
              f"{figures[prefix + 'within_0_7_s']} within 0.7 s (the word reached the microphone "
              f"{figures[prefix + 'person_start_ms']} ms after paplay started, median)")
        if missed:
            print(f"    missed: {', '.join(missed)}")
    print(f"  its own practices, nobody speaking: {len(false_stops)} false stop(s) in {figures['played_min']} min "
          f"{false_stops}, held {holds} time(s) while something heard over it was read; "
          f"listening over the voice costs {figures['cpu_per_audio_s']} CPU-s per second of playback")
    print(f"  the echo came {figures['echo_delay_ms']} ms late at the end; its delay moved {delay_moves} time(s); "
          f"the microphone overflowed {overflows} time(s) (samples lost: its figures are doubtful when not 0)")
    return {f"barge_in.{key}": value for key, value in figures.items()}


def _false_stop(result: dict) -> str:
    """A false stop for the table: what was heard, and what the tape was read as when it was checked."""
    return f"{result['heard']} {result['tape']}" if result["tape"] else result["heard"]


def _stops(room: Room, microphone: Ear, glimmer: Glimmer, folder: Path, rng: np.random.Generator,
           voices: list[Path], texts: list[str], said: list[tuple[str, str, str]],
           first: int) -> tuple[int, list[float], list[str], list[float]]:
    """Each (phrase, family, voice) said into the room over a passage (numbered from `first`, which seeds the
    voice): (stops acted on, latencies, misses, how long after paplay started each word reached the
    microphone). A word ends where its waveform, found in what the microphone heard, ends."""
    heard, latencies, missed, late = 0, [], [], []
    for number, (phrase, family, voice) in enumerate(said):
        wav = person(phrase, family, voice, folder, first + number)
        voice_path = voices[number % len(voices)]
        glimmer.play(voice_path, texts[number % len(texts)])
        time.sleep(rng.uniform(*STOP_AT) * len(np.load(voice_path)) / 24000)
        started = time.monotonic()
        room.say(wav)   # returns when the server says it has drained, which may be later than heard
        word = read_wav(wav)
        time.sleep(0.1)  # until the microphone's recording holds the whole word
        began = microphone.onset(word, after=started, within_s=1.0)
        late += [began - started] if began is not None else []
        word_ends = (began if began is not None else started) + len(word) / SAMPLE_RATE
        result = glimmer.result()
        if result["heard"] is None:
            missed.append(f"{phrase} ({family} {voice}: read {result['let_go']})")
            continue
        heard += 1
        time.sleep(SETTLE_S)   # nothing plays now until the next trial
        last = max((t for t in list(room.ear.loud) if t <= word_ends + SETTLE_S), default=word_ends)
        latencies.append(max(0.0, last - word_ends))
    return heard, latencies, missed, late


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 stops and four passages instead of 40 and all")
    parser.add_argument("--own-minutes", type=float, help="only its own practices, over and over, this long")
    args = parser.parse_args()
    run(args.quick, args.own_minutes)
