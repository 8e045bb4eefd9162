"""What a practice talks through: the Dialog (speech out, listening in), what it hears, and the journal.

Protocols only, importing nothing of Glimmer but the Tempo value and the Purpose type, so the runner, the
safety response and the assistant that implements them all stand on this module and none on another.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.speech.pacing import Tempo
from assistant.speech.transcript import Purpose


@dataclass(frozen=True)
class Heard:
    """What the person said at a listening moment ("" on silence), and the samples it was heard in (int16
    16 kHz mono; None when nothing was heard or the Dialog has no audio)."""

    text: str = ""
    confidence: float = 0.0
    audio: np.ndarray | None = field(default=None, compare=False, repr=False)
    ended_early: bool = False  # the answer ended before its full silence: it may still go on
    went_on: bool = False      # the whole of an answer that ended early and then went on


class Dialog(Protocol):
    """Speech out and listening in, as the assistant loop provides them."""

    @property
    def tempo(self) -> Tempo: ...  # how slowly to speak, pause and wait: the usual pace until "slower"
    def say(self, text: str) -> None: ...
    def pause(self, seconds: float) -> Heard: ...  # exact silence; what was heard in it ("" when nothing)
    def listen(self, kind: str, timeout_s: float, purpose: Purpose | None = None) -> Heard: ...  # "journal": kept
    def chime(self, name: str) -> None: ...
    def slower(self) -> None: ...  # speak more slowly from now on (one step of Tempo)


class JournalSink(Protocol):
    """Where captured glimmers go; `audio` is the Heard's own, kept only where the journal keeps audio."""

    def add(self, text: str, *, practice: str | None = None, senses: Sequence[str] = (),
            calm_before: int | None = None, calm_after: int | None = None,
            confidence: float | None = None, audio: np.ndarray | None = None) -> int: ...
    def delete(self, entry_id: int) -> bool: ...  # removed for good; False if there is no such entry
