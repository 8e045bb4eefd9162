"""Is this short utterance a stop or pause word said alone? Whisper asked a closed question.

Over Glimmer's voice the person's word reaches Whisper with the echo's remains around it, and a free reading
of a robotic or accented "Stop." can come out as "First." or "Bye." although "Stop." was nearly as likely.
So each phrase of PHRASES is forced through the decoder on the utterance, and how far it is from the
decoder's own choice is summed: at each of its tokens, then at the end of its words (where a full stop, "!",
"?" or the end of the text must be likely, not more words), then after its full stop (where the text must
end). That sum, the phrase's deficit in log-probability, is 0 when the decoder would have read exactly the
phrase alone, and grows with every word it would have read otherwise: "the bus stop" or "Stop the music"
score far from "Stop". One encoding of a 6-s window, one decoder step for the first word, and forced passes
only for the phrases that first word leaves likely: about 0.15 CPU-s here (0.2 when a phrase is forced).

The same encoding can be asked again with the decoder primed: PRIMER given as the text said before, so that a
stop or pause phrase is what it expects. A mumbled or robotic "Pause." that the plain question reads as
"Paul." or "Followed." is then read as itself, at the price of taking more sound-alikes ("Paws.", "Top.") for
one; barge_in.py allows the primed question a smaller deficit.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.speech.stt_whisper import encode_window, shared_model

# the stop and pause phrases a person says over a voice (each is a STOP or PAUSE control, controls.py)
PHRASES = ("Stop", "Pause", "Wait", "Be quiet", "Stop, please", "Stop it", "Hold on", "Hang on", "Wait a moment")
ENDINGS = (".", "!", "?", "...")
WINDOW_S = 6.0       # the encoder reads the utterance padded with silence to this length (or 1 s past it);
                     # 3-5 s heard 2-3 fewer of the dev voices' stops (scripts/barge_in_deficit.py)
PAD_S = 1.0
PRIMER = "Stop. Pause. Wait."   # the text the primed question is told came before the utterance


@dataclass(frozen=True)
class Closest:
    """The phrase an utterance is closest to, and its deficit (0: exactly what the decoder reads)."""

    phrase: str
    deficit: float


@dataclass(frozen=True)
class Likely:
    """An encoded utterance, the decoder's prefix it was asked with, and the phrases its first word leaves
    likely there (with their tokens)."""

    encoded: np.ndarray
    start: list[int]
    phrases: list[tuple[str, list[int]]]


class ControlConfirmer:
    """Scores a short int16 16 kHz utterance against PHRASES with Whisper (see the module docstring)."""

    def __init__(self, model: Path) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self._whisper = shared_model(model, 1)
        tok = Tokenizer(self._whisper.hf_tokenizer, self._whisper.model.is_multilingual,
                        task="transcribe", language="en")
        self._start = [*tok.sot_sequence, tok.no_timestamps]
        self._primed_start = [tok.sot_prev, *tok.encode(" " + PRIMER), *self._start]
        self._eot, self._full_stop = tok.eot, tok.encode(".")[0]
        self._endings = sorted({tok.encode(e)[0] for e in ENDINGS} | {tok.eot})
        self._phrases = [(phrase, tok.encode(" " + phrase)) for phrase in PHRASES]

    def closest(self, samples: np.ndarray, most: float, primed: bool = False) -> Closest:
        """The phrase of PHRASES the utterance is closest to (asked `primed` or not), when its deficit may be
        `most` or less (else its deficit is inf)."""
        return self.closest_of(self.likely(self.encode(samples), most, primed))

    def encode(self, samples: np.ndarray) -> np.ndarray:
        """The int16 utterance through Whisper's encoder (padded to WINDOW_S): the costly step, done once."""
        audio = to_float(np.asarray(samples, dtype=np.int16))
        return np.asarray(encode_window(self._whisper, audio, max(WINDOW_S, audio.size / SAMPLE_RATE + PAD_S)))

    def likely(self, encoded: np.ndarray, most: float, primed: bool = False) -> Likely:
        """The phrases whose first word is likely enough on the encoded utterance to be forced (within `most`
        of the decoder's own first choice; none, often): one decoder step, `primed` with PRIMER or not."""
        import ctranslate2

        start = self._primed_start if primed else self._start
        first = np.asarray(self._whisper.model.generate(
            ctranslate2.StorageView.from_array(encoded), [start], beam_size=1, max_length=2 + self._before(start),
            return_logits_vocab=True, suppress_blank=False, suppress_tokens=[])[0].logits[0][0]).reshape(-1)
        return Likely(encoded, start, [(phrase, tokens) for phrase, tokens in self._phrases
                                       if first.max() - first[tokens[0]] <= most])

    def closest_of(self, likely: Likely) -> Closest:
        """The closest of the likely phrases, each forced through the decoder, and its deficit (inf when no
        phrase is likely)."""
        import ctranslate2

        if not likely.phrases:
            return Closest("", np.inf)
        prompts = [[*likely.start, *tokens, self._full_stop] for _, tokens in likely.phrases]
        # generate() returns about max_length // 2 steps of logits for these prompts: one per forced token
        steps = self._whisper.model.generate(
            ctranslate2.StorageView.from_array(np.repeat(likely.encoded, len(prompts), axis=0)), prompts,
            beam_size=1, max_length=2 * (max(map(len, prompts)) - len(likely.start) + 1) + self._before(likely.start),
            return_logits_vocab=True, suppress_blank=False, suppress_tokens=[])
        scored = []
        for (phrase, tokens), step in zip(likely.phrases, steps, strict=True):
            logits = [np.asarray(x).reshape(-1) for x in step.logits[0][:len(tokens) + 2]]
            words, ending, after = logits[:len(tokens)], logits[len(tokens)], logits[len(tokens) + 1]
            deficit = sum(float(x.max() - x[t]) for x, t in zip(words, tokens, strict=True))
            deficit += float(ending.max() - ending[self._endings].max()) + float(after.max() - after[self._eot])
            scored.append(Closest(phrase, deficit))
        return min(scored, key=lambda c: c.deficit)

    def _before(self, start: list[int]) -> int:
        """How many tokens of text said before `start` carries: ctranslate2 counts them against max_length."""
        return len(start) - len(self._start)


@functools.lru_cache(maxsize=2)
def load_control_confirmer(model: Path | None) -> ControlConfirmer | None:
    """The confirmer on `model` (a Whisper model folder), or None when there is none."""
    return ControlConfirmer(model) if model is not None else None
