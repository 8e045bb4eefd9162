"""The `glimmer` command: global options, one module per subcommand, one-line errors."""

import argparse
import importlib
import logging
import sys

from assistant import __version__
from assistant.config import load_settings
from assistant.errors import GlimmerError

# Each module defines register(subparsers); its parsers set `handler(args, settings) -> int`.
COMMANDS = ("run", "listen", "wake", "transcribe", "say", "practices", "journal", "report", "models", "doctor")

DESCRIPTION = """\
Glimmer: an offline voice companion for noticing and savoring glimmers,
small moments of safety, calm and connection. Nothing leaves this device.

Say "hey glimmer", then share a glimmer, or ask "guide me" or "ground me".
Try it without a microphone:  glimmer run --input-turns demo/turns/*.wav --output-wav out.wav
"""


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--config", metavar="PATH", default=default,
                        help="settings file (default: ./config.yaml, else ~/.config/glimmer/config.yaml)")
    parser.add_argument("--journal", metavar="PATH", default=default, help="journal database to use")
    parser.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS if suppress else 0,
                        help="log more to stderr (-vv for debug)")


def build_parser() -> argparse.ArgumentParser:
    """The full `glimmer` parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="glimmer", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"glimmer {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    for name in COMMANDS:
        module = importlib.import_module(f"assistant.cli.{name}")
        module.register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run `glimmer`; user errors are one line on stderr and a non-zero exit, never a traceback."""
    args = build_parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, stream=sys.stderr, format="glimmer %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings(args.config, args.journal)
        return int(args.handler(args, settings) or 0)
    except GlimmerError as err:
        print(f"glimmer: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("glimmer: stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0

