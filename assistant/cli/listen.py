"""`glimmer listen FILE…`: scan WAV files for the wake phrase as if they were the microphone."""

import argparse
import json

from assistant.audio.frames import frames_of


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `listen` subcommand."""
    parser = sub.add_parser("listen", parents=[common], help="scan WAV files for the wake phrase",
                            description="Print one JSON line per wake detection: "
                                        '{"event":"wake","file":F,"t":S} (S = seconds into the file). '
                                        "Run with -v to log each detection's score.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="PCM WAV files (any rate, mono or stereo)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:
    from assistant.audio.wav import read_wav
    from assistant.speech.wake import WakeDetector

    detector = WakeDetector(settings.wake)
    for path in args.files:
        samples = read_wav(path)
        detector.reset()
        for frame in frames_of(samples):
            hit = detector.feed(frame)
            if hit is not None:
                print(json.dumps({"event": "wake", "file": path, "t": round(hit.t, 2)}), flush=True)
    return 0
