"""Peak memory of one `glimmer` command in a fresh process, and the long recordings it is measured on
(used by tests/test_transcribe.py and scripts/bench_memory.py, bench_wake.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_int16

REPO = Path(__file__).resolve().parents[2]
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
            for start_s, audio in zip(starts, speech, strict=False):
                at = int(start_s * SAMPLE_RATE) - begin
                lo, hi = max(0, at), min(len(chunk), at + len(audio))
                if lo < hi:
                    chunk[lo:hi] += audio[lo - at:hi - at] / 32768.0
            out.writeframes(to_int16(chunk).tobytes())
    return starts
