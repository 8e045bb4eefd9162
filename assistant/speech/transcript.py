"""What transcription gives back, and the one-method protocol every speech engine implements.

A module of its own, below the engines and the engine picker (transcribe.py), so both can import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

Purpose = Literal["journal"]  # words kept in the journal; None: a command, an intent, a rating, anything else


@dataclass(frozen=True)
class Word:
    """One recognized word; times in seconds from the start of the utterance, confidence 0..1."""

    text: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class Transcript:
    """What was said: the text, its words, and an overall confidence 0..1 (0 when nothing was heard)."""

    text: str
    words: tuple[Word, ...] = ()
    confidence: float = 0.0


class Transcriber(Protocol):
    """Turns one utterance into a Transcript."""

    def transcribe(self, samples: np.ndarray, purpose: Purpose | None = None) -> Transcript:
        """`samples`: int16 16 kHz mono; `purpose`: what the words are for."""
