"""The one word error rate, for tests and benches: words normalized, then a word-level edit distance."""

from __future__ import annotations

import re
from collections.abc import Collection

from assistant.speech.textprep import number_words

_SPELLING = {"favourite": "favorite", "colour": "color", "neighbour": "neighbor", "neighbours": "neighbors",
             "realise": "realize", "realised": "realized", "grey": "gray", "centre": "center",
             "honour": "honor", "behaviour": "behavior", "mum": "mom", "okay": "ok", "o.k.": "ok",
             "towards": "toward", "learnt": "learned", "dreamt": "dreamed", "mr": "mister",
             "mrs": "missus", "dr": "doctor"}
_HESITATIONS = {"um", "uh", "er", "erm", "hmm", "mm"}


def normalize(text: str, closed: Collection[str] = ()) -> list[str]:
    """Words for scoring: lower case, no punctuation, numbers spelled out, one spelling, no hesitation
    sounds ("um", "uh": Whisper leaves them out, and so does a journal). A hyphenated word is split
    ("cold-hearted" -> cold hearted) unless its closed form is in `closed` (the other side's words), since
    co-worker/coworker and to-night/tonight are spellings of one word."""
    text = re.sub(r"\d+", lambda m: " " + number_words(m.group()) + " ", text.lower())
    words = []
    for token in re.sub(r"[^a-z'\- ]+", " ", text).split():
        whole = token.replace("-", "")
        words += [whole] if whole in closed else token.split("-")
    words = [w.strip("'") for w in words]
    return [_SPELLING.get(w, w) for w in words if w and w not in _HESITATIONS]


def scored(reference: str, hypothesis: str) -> tuple[list[str], list[str]]:
    """The reference and hypothesis words as `wer` compares them."""
    ref = normalize(reference, set(normalize(hypothesis)))
    return ref, normalize(hypothesis, set(ref))


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Word-level Levenshtein distance."""
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def wer(pairs: list[tuple[str, str]]) -> float:
    """Pooled word error rate of (reference, hypothesis) pairs, after `normalize`."""
    words = [scored(r, h) for r, h in pairs]
    return sum(edit_distance(r, h) for r, h in words) / max(1, sum(len(r) for r, _ in words))


def word_error_rate(reference: str, hypothesis: str) -> float:
    """The word error rate of one transcript."""
    return wer([(reference, hypothesis)])
