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
phrases (scripts/wake_confirm_margin.py). A third score reads the same encoding directly:

- likeness: the log-odds of a small classifier (the wake model's "likeness" head, scripts/wake_likeness.py) on
  the encoder's frames of the window, trained on the phrase against near misses and running speech in the
  model's voice families, in noise, rooms and at every level; its threshold is chosen on each natural training
  family as the others' head hears it (never on a family the head trained on). A model without the head passes
  it.

It runs only on a candidate the detector has already accepted (a few times an hour): one encoding of a 2-s
window, a short greedy reading, a batch of forced decoder passes and the head, about 0.05 CPU-s here.
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import numpy as np

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.speech.stt_whisper import encode_window, shared_model
from assistant.speech.wake_model import Mlp

log = logging.getLogger(__name__)

HEY = ("Hey", "hey")
# other words heard before "glimmer" (the wake model's training near misses; none of the bench's own)
OTHER_ONSETS = ("day", "may", "pay", "way", "bay", "lay", "ray", "stay", "play", "gray", "they", "weigh", "clay",
                "pray", "okay", "obey", "away", "today", "a", "the", "my", "his", "her", "no")
WINDOW_S = 2.0               # the encoder reads the audio padded with silence to this length
PEAK = 0.3                   # Whisper's log-mel is not level-free: every window is read at this peak
READING_TOKENS = 8           # the free reading that finds where the phrase starts
HEARD_FRAMES = 60            # the encoder's frames (50 a second) that hold the 1.2 s the detector hands over
POOL = 3                     # ... averaged three at a time for the likeness head


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

    def encoding(self, samples: np.ndarray) -> np.ndarray:
        """The encoder's output (1, frames, width) for int16 16 kHz audio, read at PEAK in a WINDOW_S window."""
        audio = to_float(np.asarray(samples, dtype=np.int16))[-int(WINDOW_S * SAMPLE_RATE):]
        audio = audio * (PEAK / max(float(np.max(np.abs(audio), initial=0.0)), 1e-4))
        return np.asarray(encode_window(self._whisper, audio, WINDOW_S))

    def margins(self, samples: np.ndarray, likeness: Mlp | None = None) -> tuple[float, float, float]:
        """(onset, ending, likeness) of int16 16 kHz audio (the second or so up to just after the candidate);
        the likeness is 0.0 without a head."""
        import ctranslate2

        encoded = self.encoding(samples)
        alike = float(likeness.logits(heard_frames(encoded))[0]) if likeness is not None else 0.0
        found = self._whisper.model.generate(
            ctranslate2.StorageView.from_array(encoded), [self._start], beam_size=1, suppress_tokens=self._suppress,
            max_length=len(self._start) + READING_TOKENS, return_logits_vocab=True)[0]
        reading, read_logits = found.sequences_ids[0], [np.asarray(x).reshape(-1) for x in found.logits[0]]
        # where the phrase may start: the first word, or where another onset was read after earlier words
        starts = [i for i in range(len(read_logits)) if i == 0 or (i < len(reading) and reading[i] in self._onsets)]
        if not starts:
            return -np.inf, -np.inf, alike
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
        return onset, ending, alike

    def _onset_margin(self, logits: np.ndarray) -> float:
        """How much likelier "Hey" is than the likeliest other onset."""
        return float(logits[self._hey].max() - logits[self._others].max())


def heard_frames(encoded: np.ndarray) -> np.ndarray:
    """The likeness head's input, (n, HEARD_FRAMES // POOL, width): the encoder's first HEARD_FRAMES frames of
    each of n encodings, averaged POOL at a time."""
    frames = np.asarray(encoded, np.float32)[:, :HEARD_FRAMES]
    return frames.reshape(frames.shape[0], HEARD_FRAMES // POOL, POOL, -1).mean(axis=2)


def confirmed(margins: tuple[float, float, float], needed: tuple[float, float, float]) -> bool:
    """Every score (onset, ending, likeness) reaches the model's."""
    return all(heard >= wanted for heard, wanted in zip(margins, needed, strict=True))


@functools.lru_cache(maxsize=2)
def load_confirmer(model: Path | None) -> WakeConfirmer | None:
    """The confirmer on `model` (tiny.en), or None when no Whisper model is installed."""
    if model is None:
        log.warning("no Whisper model installed: wake candidates are not heard a second time")
        return None
    return WakeConfirmer(model)
