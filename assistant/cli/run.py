"""`glimmer run`: the assistant, on the real microphone or on simulated WAV turns."""

import argparse
import faulthandler
import sys
from collections.abc import Callable

from assistant.config import Settings

STOP_GRACE_S = 5.0  # after SIGTERM the tidy path gets this long; then every thread's stack is logged, exit 1


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add the `run` subcommand."""
    parser = sub.add_parser(
        "run", parents=[common], help="the assistant: listen for 'hey glimmer' and respond",
        description="Run the assistant on the microphone and speaker, or (with --input-turns) on WAV turns: "
                    "each time it listens it hears the next file, then silence. Events go to stdout as JSON lines.")
    parser.add_argument("--input-turns", nargs="+", metavar="WAV", help="simulated microphone turns, in order")
    parser.add_argument("--output-wav", metavar="WAV", help="write everything spoken to this WAV file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Open the source and sink, then hand them to the assistant loop."""
    import signal

    signal.signal(signal.SIGTERM, _stop)
    from assistant.audio.sinks import Speaker, WavSink
    from assistant.audio.sources import AudioSource, Microphone, TurnFeeder
    from assistant.loop import run_assistant

    if args.input_turns:
        feeder = TurnFeeder(args.input_turns)
        reopen: Callable[[], AudioSource] = lambda: feeder  # noqa: E731 (the simulated microphone never goes away)
    else:
        reopen = lambda: Microphone(settings.audio.input_device, settings.audio.input_rate)  # noqa: E731
    source = reopen()  # no microphone: one clear line before anything else is opened
    sink = WavSink(args.output_wav) if args.output_wav else Speaker(settings.audio.output_device)
    return run_assistant(settings, source, sink, reopen)


def _stop(*_: object) -> None:
    """SIGTERM (systemd's stop): leave through the same tidy path as Ctrl-C, but never hang in it."""
    faulthandler.dump_traceback_later(STOP_GRACE_S, exit=True)
    sys.exit(0)
