"""`glimmer report`: an offline HTML report of your glimmers."""

from assistant.cli.placeholder import register_placeholder


def register(sub, common) -> None:
    """Add the `report` subcommand."""
    register_placeholder(sub, common, "report", "an offline HTML report of your glimmers")
