"""The tense guard: a journal answer decoded twice, once plainly and once after a past-tense prompt, and kept
as the plain decode with only its dropped "-ed" endings restored from the prompted one.

tiny.en writes "I notice the leaves" for "I noticed the leaves"; given a past-tense sentence as earlier
context it keeps the "-ed", but it also invents words (on a TV next door, on music, by repeating a
sentence). So the prompted decode may only change a plain word into that word's regular past tense
(notice -> noticed, walk -> walked, stop -> stopped, carry -> carried) where the two decodes substitute one
word for the other. One known slip goes with it: "a walk" for "I walked", the "I" heard as "a" - an "a"
becomes "I" only right before a word the prompted decode put in the past tense, since no past-tense verb
follows an article. Every insertion, deletion or other change keeps the plain words, so the guarded text
never has more words than the plain decode, and nothing when the plain decode has nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from assistant.speech.transcript import Transcript, Word

_LETTERS = re.compile(r"[a-z']+")
_SPAN = re.compile(r"[A-Za-z'](?:.*[A-Za-z'])?")  # a word's letters, between its leading and trailing marks


def key(word: str) -> str:
    """`word` as the decodes are compared: lower case, letters and apostrophes only."""
    return "".join(_LETTERS.findall(word.lower()))


def is_past_of(past: str, word: str) -> bool:
    """True when `past` is a regular past tense of `word` (both keys): +ed, +d after e, a doubled final
    consonant +ed (stop -> stopped), y -> ied after a consonant (carry -> carried)."""
    if len(word) < 2 or not word.isalpha():
        return False
    if word.endswith("e"):
        return past == word + "d"
    if word.endswith("y") and word[-2] not in "aeiou":
        return past == word[:-1] + "ied"
    return past in (word + "ed", word + word[-1] + "ed")


def merged(plain: Sequence[str], prompted: Sequence[str]) -> list[str]:
    """`plain` words, one for one, with the past tenses `prompted` restores (see the module docstring);
    words of punctuation alone are left out of the comparison."""
    out = list(plain)
    at = [i for i, w in enumerate(plain) if key(w)]
    ours, theirs = [key(plain[i]) for i in at], [key(w) for w in prompted if key(w)]
    blocks = difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in blocks:
        if tag != "replace" or i2 - i1 != j2 - j1:
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            if is_past_of(theirs[j], ours[i]):
                out[at[i]] = _respelled(plain[at[i]], theirs[j])
                if i > i1 and ours[i - 1] == "a" and theirs[j - 1] == "i":
                    out[at[i - 1]] = _respelled(plain[at[i - 1]], "I")
    return out


def _respelled(surface: str, new: str) -> str:
    """`surface` (a word with its case and punctuation) with its letters replaced by `new`."""
    letters = _SPAN.search(surface)
    if letters is None:
        return surface
    if surface[letters.start()].isupper():
        new = new[0].upper() + new[1:]
    return surface[:letters.start()] + new + surface[letters.end():]


def guarded(plain: Transcript, prompted: Transcript) -> Transcript:
    """`plain` with the past tenses `prompted` restores, its word times and confidence kept."""
    before = [w.text for w in plain.words]
    after = merged(before, prompted.text.split())
    if after == before:
        return plain
    words = tuple(Word(t, w.start, w.end, w.confidence) for t, w in zip(after, plain.words, strict=True))
    return Transcript(_rewritten(plain.text, before, after), words, plain.confidence)


def _rewritten(text: str, before: list[str], after: list[str]) -> str:
    """`text` with each word of `before`, found in order, spelled as in `after` (spacing kept)."""
    out, at = [], 0
    for old, new in zip(before, after, strict=True):
        found = text.find(old, at)
        if found < 0:
            continue
        out.append(text[at:found] + new)
        at = found + len(old)
    return "".join(out) + text[at:]
