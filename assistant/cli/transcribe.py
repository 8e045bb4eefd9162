"""`glimmer transcribe`: write down what is said in WAV files."""

from assistant.cli.placeholder import register_placeholder


def register(sub, common) -> None:
    """Add the `transcribe` subcommand."""
    register_placeholder(sub, common, "transcribe", "write down what is said in WAV files")
