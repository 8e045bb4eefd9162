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
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(quick: bool = False) -> dict:
    """Measure, print, return {"memory.<command>_peak_rss_mb": …}."""
    from scripts.corpus import Synthesizer
    from tests.support.memory import SENTENCES, TARGET_MB, long_recording, measured
    from tests.support.scoring import wer

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
