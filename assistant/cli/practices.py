"""`glimmer practices`: list, show and check guided practices."""

from assistant.cli.placeholder import register_placeholder


def register(sub, common) -> None:
    """Add the `practices` subcommand."""
    register_placeholder(sub, common, "practices", "list, show and check guided practices")
