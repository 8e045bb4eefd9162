"""Hear a wake candidate again: does it start with "hey" (not "they", "a", "her"…), and is "glimmer" next?

The embedding detector (wake.py) hears voices it never trained on, but it takes near misses such as "they
glimmer", "her glimmer" or "hey, dimmer" for the phrase too often. Whisper tiny.en, trained on hundreds of
thousands of hours of real people, tells such words apart far better; read freely, though, it mishears many
voices' "hey glimmer" ("Take Limmer"), so a transcript check cannot decide. It is asked two closed questions
instead, on the last moments of audio, where the phrase starts (the first word, or where Whisper reads
"hey" or another onset after earlier words):

- onset margin: how much likelier the word "Hey" is there than the likeliest of OTHER_ONSETS;
- ending margin: how much less likely "glimmer" is after "hey" (or "hey,") than the likeliest reading, token by
  token through the whole word (0 when each of its tokens is the likeliest), so that a word which only starts
  like it ("hey, glimpse") scores far lower.

Both are log-probability differences; the model's thresholds for them are chosen on its training families'
phrases (scripts/wake_confirm_margin.py). It runs only on a candidate the detector has already accepted (a
few times an hour): one encoding of a 2-s window, a short greedy reading and a batch of forced decoder passes,
about 0.05 CPU-s here.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.speech.stt_whisper import encode_window, shared_model

log = logging.getLogger(__name__)

HEY = ("Hey", "hey")
# other words heard before "glimmer" (the wake model's training near misses; none of the bench's own)
OTHER_ONSETS = ("day", "may", "pay", "way", "bay", "lay", "ray", "stay", "play", "gray", "they", "weigh", "clay",
                "pray", "okay", "obey", "away", "today", "a", "the", "my", "his", "her", "no")
WINDOW_S = 2.0               # the encoder reads the audio padded with silence to this length
PEAK = 0.3                   # Whisper's log-mel is not level-free: every window is read at this peak
READING_TOKENS = 8           # the free reading that finds where the phrase starts


class WakeConfirmer:
    """Scores audio ending just after a wake candidate with Whisper (see the module docstring)."""

    def __init__(self, model: Path) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._whisper = shared_model(model, 1)
        tok = Tokenizer(self._whisper.hf_tokenizer, self._whisper.model.is_multilingual,
                        task="transcribe", language="en")
        self._start = [*tok.sot_sequence, tok.no_timestamps]
        first = {w: tok.encode(" " + w)[0] for w in HEY}
        self._hey = sorted(set(first.values()))
        self._others = sorted({tok.encode(" " + w)[0] for o in OTHER_ONSETS for w in (o, o.capitalize())}
                              - set(self._hey))
        self._onsets = set(self._hey) | set(self._others)
        self._spellings = sorted({tuple(tok.encode(" " + w)) for w in ("glimmer", "Glimmer")})
        self._comma = tok.encode(",")[0]
        self._suppress = get_suppressed_tokens(tok, [-1])

    def margins(self, samples: np.ndarray) -> tuple[float, float]:
        """(onset, ending) margins of int16 16 kHz audio (the second or so up to just after the candidate)."""
        import ctranslate2

        audio = to_float(np.asarray(samples, dtype=np.int16))[-int(WINDOW_S * SAMPLE_RATE):]
        audio = audio * (PEAK / max(float(np.max(np.abs(audio), initial=0.0)), 1e-4))
        encoded = np.asarray(encode_window(self._whisper, audio, WINDOW_S))
        found = self._whisper.model.generate(
            ctranslate2.StorageView.from_array(encoded), [self._start], beam_size=1, suppress_tokens=self._suppress,
            max_length=len(self._start) + READING_TOKENS, return_logits_vocab=True)[0]
        reading, read_logits = found.sequences_ids[0], [np.asarray(x).reshape(-1) for x in found.logits[0]]
        # where the phrase may start: the first word, or where another onset was read after earlier words
        starts = [i for i in range(len(read_logits)) if i == 0 or (i < len(reading) and reading[i] in self._onsets)]
        if not starts:
            return -np.inf, -np.inf
        onset, at = max((self._onset_margin(read_logits[i]), i) for i in starts)
        hey = max(self._hey, key=lambda t: read_logits[at][t])
        # "hey glimmer" forced there, with a comma or not, in each spelling: the logits at each forced token
        forced = [([hey, *comma], list(spelling)) for comma in ([], [self._comma]) for spelling in self._spellings]
        prompts = [self._start + reading[:at] + heard + spelling for heard, spelling in forced]
        # generate() returns about max_length // 2 steps of logits for these prompts: room for every forced token
        steps = self._whisper.model.generate(
            ctranslate2.StorageView.from_array(np.repeat(encoded, len(prompts), axis=0)), prompts, beam_size=1,
            max_length=2 * (max(map(len, prompts)) - len(self._start)), return_logits_vocab=True,
            suppress_blank=False, suppress_tokens=[])
        ending = -np.inf
        for (heard, spelling), step in zip(forced, steps, strict=True):
            logits = [np.asarray(x).reshape(-1) for x in step.logits[0][at + len(heard):][:len(spelling)]]
            ending = max(ending, min(float(x[t] - x.max()) for x, t in zip(logits, spelling, strict=True)))
        return onset, ending

    def _onset_margin(self, logits: np.ndarray) -> float:
        """How much likelier "Hey" is than the likeliest other onset."""
        return float(logits[self._hey].max() - logits[self._others].max())


def confirmed(margins: tuple[float, float], needed: tuple[float, float]) -> bool:
    """Both margins (onset, ending) reach the model's."""
    return margins[0] >= needed[0] and margins[1] >= needed[1]


@functools.lru_cache(maxsize=2)
def load_confirmer(model: Path | None) -> WakeConfirmer | None:
    """The confirmer on `model` (tiny.en), or None when no Whisper model is installed."""
    if model is None:
        log.warning("no Whisper model installed: wake candidates are not heard a second time")
        return None
    return WakeConfirmer(model)
