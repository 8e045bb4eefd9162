"""`glimmer say`: speak text with the configured voice."""

from assistant.cli.placeholder import register_placeholder


def register(sub, common) -> None:
    """Add the `say` subcommand."""
    register_placeholder(sub, common, "say", "speak text with the configured voice")
