"""A recording of any length, cut into utterances by the endpointer and transcribed, in constant memory.

The file is heard as the microphone would be (the same VAD and endpointer as a live session), so silence
and steady noise never reach the transcriber, and only one utterance (at most listen.max_utterance_s) is
held at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE
from assistant.audio.sources import WavFileSource
from assistant.config import ListenSettings
from assistant.speech.endpoint import FRAME_S, Listener
from assistant.speech.transcript import Transcriber, Transcript, Word

MARGIN_S = 1.0   # listened past the file's expected end: resampling may make it a little longer


@dataclass(frozen=True)
class Segment:
    """One utterance of a recording: seconds from the file's start (its words' span when it has word
    times, else the utterance as the endpointer cut it) and what was said."""

    start: float
    end: float
    text: str


def utterances(path: str | Path, settings: ListenSettings) -> Iterator[tuple[float, np.ndarray]]:
    """(start in seconds, int16 samples) of each utterance in the WAV file at `path`, in order."""
    source = WavFileSource(path)
    listener = Listener(source, settings)
    try:
        while not source.turn_over:
            heard_s = source.frames_read * FRAME_S
            audio = listener.listen("answer", source.left_s + MARGIN_S)
            if audio is not None and listener.last is not None:
                yield heard_s + listener.last.audio_start_s, audio
    finally:
        source.close()


def transcribe_file(path: str | Path, transcriber: Transcriber,
                    settings: ListenSettings) -> tuple[Transcript, list[Segment]]:
    """What is said in the WAV file at `path`: the utterances' texts in order, word times from the file's
    start, and one Segment per utterance; empty when nobody speaks."""
    segments, words, confidences = [], [], []
    for start_s, audio in utterances(path, settings):
        part = transcriber.transcribe(audio)
        if not part.text.strip():
            continue
        confidences.append(part.confidence)
        timed = [Word(w.text, round(start_s + w.start, 2), round(start_s + w.end, 2), w.confidence)
                 for w in part.words]
        span = (timed[0].start, timed[-1].end) if timed else \
            (round(start_s, 2), round(start_s + len(audio) / SAMPLE_RATE, 2))
        segments.append(Segment(*span, part.text.strip()))
        words += timed
    confidence = np.mean([w.confidence for w in words] if words else confidences) if segments else 0.0
    text = " ".join(segment.text for segment in segments)
    return Transcript(text, tuple(words), round(float(confidence), 3)), segments
