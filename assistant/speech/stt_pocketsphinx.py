"""pocketsphinx transcriber: the always-installed fallback (its wheel ships the en-us model)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from assistant.errors import GlimmerError
from assistant.speech.transcript import Purpose, Transcript, Word

FRAMES_PER_S = 100
_FILLER = re.compile(r"^(<.*>|\[.*\]|\+\+.*\+\+)$")


class PocketsphinxTranscriber:
    """Decodes whole utterances with pocketsphinx's default (or a given) acoustic model."""

    def __init__(self, model: Path | None = None) -> None:
        from pocketsphinx import Decoder

        options = {"samprate": 16000, "loglevel": "FATAL"}
        if model is not None:
            options["hmm"] = str(model)
        try:
            self._decoder = Decoder(**options)
        except (RuntimeError, ValueError) as err:
            raise GlimmerError(f"pocketsphinx could not load {model or 'its en-us model'}: {err}") from None

    def transcribe(self, samples: np.ndarray, purpose: Purpose | None = None) -> Transcript:
        """Text, word times and posterior confidences for one utterance (int16 16 kHz mono); the same for any
        `purpose` (pocketsphinx takes no earlier context)."""
        decoder = self._decoder
        decoder.start_utt()
        decoder.process_raw(np.ascontiguousarray(samples, dtype=np.int16).tobytes(), full_utt=True)
        decoder.end_utt()
        if decoder.hyp() is None:
            return Transcript("")
        words = tuple(Word(re.sub(r"\(\d+\)$", "", seg.word), seg.start_frame / FRAMES_PER_S,
                           (seg.end_frame + 1) / FRAMES_PER_S, round(float(seg.prob), 3))
                      for seg in decoder.seg() if not _FILLER.match(seg.word))
        confidence = float(np.mean([w.confidence for w in words])) if words else 0.0
        return Transcript(" ".join(w.text for w in words), words, round(confidence, 3))
