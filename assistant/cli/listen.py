"""`glimmer listen FILE…`: scan WAV files for the wake phrase as if they were the microphone."""

import argparse
import itertools
import json
from dataclasses import replace

from assistant.errors import GlimmerError

FILE_END_S = 1.0  # silence heard after each file, as a microphone goes on hearing the room after the last word


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `listen` subcommand."""
    parser = sub.add_parser("listen", parents=[common], help="scan WAV files for the wake phrase",
                            description="Print one JSON line per wake detection: "
                                        '{"event":"wake","file":F,"t":S} (S = seconds into the file). '
                                        "Run with -v to log each detection's score. Files of any length "
                                        "are read in constant memory; a phrase at the very end of a file "
                                        "is heard, as if the room went on quietly.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="PCM WAV files (any rate, mono or stereo)")
    parser.add_argument("--sensitivity", type=float, metavar="S",
                        help="try another wake.sensitivity (0 = hardest to wake, 1 = easiest)")
    parser.add_argument("--profile", metavar="PATH",
                        help="a personal wake profile from 'glimmer wake enroll' (default: the one beside "
                             "the journal, when there is one)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:
    import numpy as np

    from assistant.audio.frames import SAMPLE_RATE
    from assistant.audio.wav import stream_wav
    from assistant.speech.wake import WakeDetector
    from assistant.speech.wake_profile import find

    wake = settings.wake
    if args.sensitivity is not None:
        if not 0.0 <= args.sensitivity <= 1.0:
            raise GlimmerError(f"--sensitivity {args.sensitivity}: must be between 0 and 1")
        wake = replace(wake, sensitivity=args.sensitivity)
    detector = WakeDetector(wake, profile=find(settings.journal.path, args.profile))
    for path in args.files:
        detector.reset()
        after = np.zeros(int(FILE_END_S * SAMPLE_RATE), np.int16)
        for block in itertools.chain(stream_wav(path), [after]):
            for start in range(0, block.size, 4800):
                hit = detector.feed(block[start: start + 4800])
                if hit is not None:
                    print(json.dumps({"event": "wake", "file": path, "t": round(hit.t, 2)}), flush=True)
    return 0
