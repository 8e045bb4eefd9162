"""Does a transcript read as a thought left hanging ("I was sitting on the...") rather than a finished one?

The words half of the end-of-turn decision (the other half is the smart-turn model's ear for the voice):
an answer whose text trails off is not over, whatever the voice did. Grammar, not tuning: a trailing
ellipsis, dash or comma; a last word a sentence hardly ends on (an article, a preposition, a conjunction,
a possessive, a contraction waiting for its verb, a filler); and, from an engine that
punctuates (Whisper writes a full stop where it hears a sentence end), no closing punctuation at all.
A finished answer taken for unfinished only waits the full silence, as every answer did before; the other
mistake cuts a person off, so the lists lean to "unfinished".
"""

from __future__ import annotations

import re

ARTICLES = {"a", "an", "the", "every", "each", "no"}
PREPOSITIONS = {"about", "across", "after", "against", "along", "among", "around", "at", "before", "behind",
                "below", "beneath", "beside", "between", "by", "during", "for", "from", "in", "inside",
                "into", "of", "on", "onto", "over", "through", "to", "toward", "towards", "under", "until",
                "upon", "with", "within", "without"}  # may be stranded ("...the music on."): then only slower
CONJUNCTIONS = {"and", "but", "or", "nor", "because", "if", "while", "although", "though", "unless",
                "whereas", "than"}
POSSESSIVES = {"my", "your", "his", "her", "our", "their"}
CONTRACTIONS = {"i'm", "i've", "i'd", "i'll", "it's", "there's", "that's", "we're", "they're", "you're",
                "he's", "she's", "we've", "they've"}
FILLERS = {"um", "uh", "er", "erm", "hmm", "mm", "like", "very"}
FILLER_ENDINGS = (("you", "know"), ("i", "mean"), ("i", "guess"), ("kind", "of"), ("sort", "of"))
NEVER_LAST = ARTICLES | PREPOSITIONS | CONJUNCTIONS | POSSESSIVES | CONTRACTIONS | FILLERS
CLOSED = (".", "!", "?")
TRAILING = ("...", "…", "-", "—", "–", ",", ";", ":")


def sounds_unfinished(text: str, punctuated: bool) -> bool:
    """Whether `text` reads as a thought left hanging; `punctuated`: the engine writes sentence punctuation
    (then an answer without any closing punctuation is taken as unfinished too). No words: unfinished."""
    stripped = text.replace("’", "'").strip().strip("\"'")
    words = re.findall(r"[a-z']+", stripped.lower())
    if not words:
        return True
    if stripped.endswith(TRAILING):
        return True
    if words[-1] in NEVER_LAST or tuple(words[-2:]) in FILLER_ENDINGS:
        return True
    return punctuated and not stripped.endswith(CLOSED)
