"""`glimmer listen`: scan WAV files for the wake phrase."""

from assistant.cli.placeholder import register_placeholder


def register(sub, common) -> None:
    """Add the `listen` subcommand."""
    register_placeholder(sub, common, "listen", "scan WAV files for the wake phrase")
