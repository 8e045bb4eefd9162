"""What a practice talks through: the Dialog (speech out, listening in), what it hears, and the journal.

Protocols only, so the runner, the safety response and the assistant that implements them all stand on
this module and none on another.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.speech.pacing import Tempo


@dataclass(frozen=True)
class Heard:
    """What the person said at a listening moment: "" on silence."""

    text: str
    confidence: float = 0.0


class Dialog(Protocol):
    """Speech out and listening in, as the assistant loop provides them."""

    @property
    def tempo(self) -> Tempo: ...  # how slowly to speak, pause and wait: the usual pace until "slower"
    def say(self, text: str) -> None: ...
    def pause(self, seconds: float) -> str | None: ...  # exact silence; heard text if speech occurred
    def listen(self, kind: str, timeout_s: float) -> Heard: ...
    def chime(self, name: str) -> None: ...
    def slower(self) -> None: ...  # speak more slowly from now on (one step of Tempo)


class JournalSink(Protocol):
    """Where captured glimmers go."""

    def add(self, text: str, *, practice: str | None = None, senses: Sequence[str] = (),
            calm_before: int | None = None, calm_after: int | None = None,
            confidence: float | None = None) -> int: ...
    def delete(self, entry_id: int) -> bool: ...  # removed for good; False if there is no such entry
