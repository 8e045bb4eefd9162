"""Memory bench: peak resident memory of `glimmer listen` and `glimmer transcribe` on an hour-long file.

    python -m scripts.bench_memory [--quick]

The file is a quiet room (hiss at -55 dBFS) with a sentence in the hibari voice once a minute, written a
minute at a time. Each command runs in a fresh process; its peak is ru_maxrss of RUSAGE_CHILDREN, read by a
small parent so that little of the parent's own memory is carried over. Target: <= 300 MB for either. Also
reported: the transcript's word error rate, and how many wakes `listen` heard (nobody says the phrase).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16

REPO = Path(__file__).resolve().parent.parent
TARGET_MB = 300.0
HISS_DBFS = -55.0
SENTENCES = ("I noticed the warm light on the kitchen table this morning.",
             "My dog fell asleep with his head on my foot while I was reading.",
             "The kettle clicked off and the kitchen went quiet.")
_PROBE = ("import json, resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
          "print(json.dumps({'code': r.returncode, 'stdout': r.stdout, 'stderr': r.stderr, "
          "'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")


def measured(*args: str, env: dict[str, str] | None = None) -> dict:
    """Run `glimmer ARGS…` in a fresh process: {"code", "stdout", "stderr", "rss_mb" (its peak)}."""
    out = subprocess.run([sys.executable, "-c", _PROBE, sys.executable, "-m", "assistant.cli", *args],
                         capture_output=True, text=True, check=True, cwd=REPO, env=env)
    return json.loads(out.stdout)


def long_recording(path: Path, seconds: float, speech: list[np.ndarray], first_s: float = 20.0,
                   every_s: float = 60.0) -> list[float]:
    """Write `seconds` of room hiss with speech[i] starting at first_s + i * every_s (16 kHz int16), a minute
    at a time; returns where each piece of speech starts."""
    starts = [first_s + i * every_s for i in range(len(speech)) if first_s + i * every_s < seconds]
    rng = np.random.default_rng(0)
    level = 10 ** (HISS_DBFS / 20)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        for minute in range(0, int(np.ceil(seconds / 60))):
            begin, end = minute * 60 * SAMPLE_RATE, min(seconds, (minute + 1) * 60) * SAMPLE_RATE
            chunk = rng.standard_normal(int(end) - begin).astype(np.float32) * level
            for start_s, audio in zip(starts, speech, strict=False):  # speech past the end is left out
                at = int(start_s * SAMPLE_RATE) - begin
                lo, hi = max(0, at), min(len(chunk), at + len(audio))
                if lo < hi:
                    chunk[lo:hi] += audio[lo - at:hi - at] / 32768.0
            out.writeframes(to_int16(chunk).tobytes())
    return starts


def run(quick: bool = False) -> dict:
    """Measure, print, return {"memory.<command>_peak_rss_mb": …}."""
    from scripts.bench_speech_in import wer
    from scripts.corpus import Synthesizer

    synth = Synthesizer()
    voices = [synth.hibari(text, seed=i, speed=1.0) for i, text in enumerate(SENTENCES)]
    seconds = 600.0 if quick else 3600.0
    results: dict = {"audio_s": seconds}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.wav"
        starts = long_recording(path, seconds, [voices[i % len(voices)] for i in range(int(seconds // 60))])
        results["sentences"] = len(starts)
        outputs = {}
        for command in ("listen", "transcribe"):
            began = time.monotonic()
            result = measured(command, *(["--json"] if command == "transcribe" else []), str(path))
            if result["code"]:
                raise SystemExit(f"glimmer {command} failed: {result['stderr'].strip()}")
            results[f"{command}_peak_rss_mb"] = round(result["rss_mb"], 1)
            results[f"{command}_wall_s"] = round(time.monotonic() - began, 1)
            outputs[command] = result["stdout"]
    said = " ".join(SENTENCES[i % len(SENTENCES)] for i in range(len(starts)))
    results["transcribe_wer"] = round(wer([(said, json.loads(outputs["transcribe"])["text"])]), 3)
    results["listen_wakes"] = len(outputs["listen"].splitlines())
    print(f"{seconds / 60:.0f} min of room hiss with {results['sentences']} sentences (target <= {TARGET_MB:.0f} MB)")
    for command in ("listen", "transcribe"):
        print(f"  glimmer {command:10s} peak RSS {results[f'{command}_peak_rss_mb']:6.1f} MB, "
              f"{results[f'{command}_wall_s']:6.1f} s")
    print(f"  transcribe WER {results['transcribe_wer']:.3f}; wakes heard by listen (none said): "
          f"{results['listen_wakes']}")
    return {f"memory.{key}": value for key, value in results.items()}


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 minutes instead of an hour")
    print(json.dumps(run(parser.parse_args().quick), indent=1))
