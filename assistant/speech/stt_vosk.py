"""vosk (Kaldi) transcriber: streaming recognition with word times and confidences."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.errors import GlimmerError
from assistant.speech.models import model_kind
from assistant.speech.transcript import Purpose, Transcript, Word

CHUNK = 4000   # samples fed per AcceptWaveform call (0.25 s)


class VoskTranscriber:
    """One vosk model in memory; each utterance gets a fresh KaldiRecognizer over it."""

    def __init__(self, model: Path) -> None:
        model = Path(model)
        if not model.is_dir():
            raise GlimmerError(f"vosk model {model}: no such folder; see 'glimmer models list'")
        if model_kind(model) != "vosk":
            raise GlimmerError(f"vosk model {model}: not a vosk model folder (no am/ or conf/model.conf)")
        import vosk

        vosk.SetLogLevel(-1)
        try:
            self._model = vosk.Model(str(model))
        except Exception as err:  # noqa: BLE001 - vosk raises a bare Exception when Kaldi cannot read the files
            raise GlimmerError(f"vosk model {model} could not be loaded ({err}); download it again") from None
        self._vosk = vosk

    def recognizer(self):
        """A fresh streaming recognizer (16 kHz, word times on)."""
        rec = self._vosk.KaldiRecognizer(self._model, 16000)
        rec.SetWords(True)
        return rec

    def stream(self, chunks: Iterable[np.ndarray]) -> Iterable[dict]:
        """Feed int16 chunks; yields vosk's JSON results: {"partial": …} while a phrase goes on,
        {"text": …, "result": [{"word", "start", "end", "conf"}]} at each phrase end and at the end."""
        rec = self.recognizer()
        for chunk in chunks:
            final = rec.AcceptWaveform(np.ascontiguousarray(chunk, dtype=np.int16).tobytes())
            yield json.loads(rec.Result() if final else rec.PartialResult())
        yield json.loads(rec.FinalResult())

    def transcribe(self, samples: np.ndarray, purpose: Purpose | None = None) -> Transcript:
        """Text, word times and confidences for one utterance (int16 16 kHz mono); the same for any `purpose`
        (vosk takes no earlier context)."""
        chunks = (samples[i:i + CHUNK] for i in range(0, len(samples), CHUNK))
        words = tuple(Word(w["word"], round(float(w["start"]), 2), round(float(w["end"]), 2),
                           round(float(w.get("conf", 1.0)), 3))
                      for result in self.stream(chunks) if "result" in result for w in result["result"])
        confidence = float(np.mean([w.confidence for w in words])) if words else 0.0
        return Transcript(" ".join(w.text for w in words), words, round(confidence, 3))
