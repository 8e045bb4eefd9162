"""Glimmer's benchmark: wake, speech in (and the tense guard) and out, memory, the echo canceller, barge-in
(and through stalls) and end of turn, measured on a corpus built on this machine.

Prints one table per section and writes all figures as JSON (default bench.json). Sections live in
scripts/bench_*.py, each a `run(quick) -> dict`. `--quick` uses a smaller corpus for a fast look.
"""

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

SECTIONS = ("speech_in", "tense", "wake", "wake_unseen", "tts", "memory", "echo", "barge_in", "stalls", "turn")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections and write their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this section (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller corpus, rougher figures")
    parser.add_argument("--json", default="bench.json", metavar="PATH", help="where to write the figures")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # figures are per core
    results: dict[str, dict] = {}
    for name in args.only or SECTIONS:
        started = time.monotonic()
        print(f"\n== {name} ==", flush=True)
        module = importlib.import_module(f"scripts.bench_{name}")
        results[name] = module.run(quick=args.quick)
        results[name]["bench_seconds"] = round(time.monotonic() - started, 1)
    Path(args.json).write_text(json.dumps(results, indent=2))
    print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
