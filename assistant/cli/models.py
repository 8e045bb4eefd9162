"""`glimmer models`: speech models present and downloadable."""

from assistant.cli.placeholder import register_placeholder


def register(sub, common) -> None:
    """Add the `models` subcommand."""
    register_placeholder(sub, common, "models", "speech models present and downloadable")
