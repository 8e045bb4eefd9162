"""Subcommands whose capability has not landed yet say so plainly instead of pretending."""

import argparse

from assistant.errors import GlimmerError


def register_placeholder(sub: argparse._SubParsersAction, common: argparse.ArgumentParser,
                         name: str, help_text: str) -> None:
    """A subcommand `name` that explains it is not available yet and exits non-zero."""
    parser = sub.add_parser(name, parents=[common], help=f"{help_text} (not available yet)")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    def run(args: argparse.Namespace, settings) -> int:
        raise GlimmerError(f"'glimmer {name}' is not available yet in this version")

    parser.set_defaults(handler=run)
