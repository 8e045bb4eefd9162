"""What a person wants right after the wake phrase, from the words they said.

Distress language asks for support before anything else (the same check as every word heard in a
practice: safety.is_distress). Short commands pick a practice; anything else of some length is taken as the
glimmer itself (one-shot:
"hey glimmer, the rain on the window sounds soothing"). Commands are matched only in short utterances, so
a glimmer that mentions "my body" or "grounding" is kept as a glimmer, not mistaken for a request.
"""

import re
from dataclasses import dataclass

from assistant.controls import normalise
from assistant.safety import is_distress

MAX_COMMAND_WORDS = 7
MIN_GLIMMER_WORDS = 3

# Checked in this order; the first intent with a matching pattern wins.
_INTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stop", (r"^(never ?mind|cancel|stop|forget it|no thanks?( you)?|nothing|not now|go back to sleep|"
              r"sorry,? never ?mind|that's all|i'm fine|all good)$",)),
    ("replay", (r"\b(play|tell|read|give) me (a|an|one|some) (old |past |of my )?glimmers?\b",
                r"\bplay (a|an old|one of my) glimmers?\b", r"\bremind me of (a|something)\b",
                r"\b(an old|a past) glimmer\b")),
    ("ground", (r"\bground(ing)? me\b", r"\bgrounding\b", r"\bground myself\b", r"\b5 ?4 ?3 ?2 ?1\b",
                r"\bfive four three two one\b", r"\bhelp me (feel )?(calm|steady|present)\b")),
    ("savor", (r"\bguide me\b", r"\bsavou?r", r"\bguided\b", r"\blet's practi[cs]e\b", r"\bstay with a glimmer\b")),
    ("checkin", (r"\bcheck ?in\b", r"\bsomething neutral\b", r"\bi feel numb\b", r"\bslightly okay\b",
                 r"\bwhat feels okay\b")),
    ("body", (r"\b(track|notice|check) (my|the) body\b", r"\bbody (check|practice|shifts?)\b",
              r"\bcalm rating\b")),
    ("integration", (r"\bintegrat", r"\bafter (my|the) (therapy |ketamine )?session\b", r"\bketamine\b")),
    ("capture", (r"\b(i have|i've got|i got|i had|here's|log|save|record|keep|add|share|new) "
                 r"(a |one |another )?glimmer\b",
                 r"^(a )?glimmer$", r"\bwrite (this|something) down\b", r"\bsave (this|something)\b")),
)
_COMPILED = tuple((name, tuple(re.compile(p) for p in patterns)) for name, patterns in _INTENTS)
# A leading "hey glimmer" the recognizer kept is not part of the request or of the glimmer.
_WAKE_ECHO = re.compile(r"^\s*((hey|hi|okay|ok)\W*\s+)?glimmer\b\W*", flags=re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    """`name` is a practice or action (capture, savor, ground, checkin, body, integration, replay, stop),
    `support` (distress was heard), `glimmer` (the words are the glimmer itself), or `unclear`."""

    name: str
    text: str


def parse_intent(text: str) -> Intent:
    """The intent in `text`, the words heard right after the wake phrase."""
    if is_distress(text):
        return Intent("support", text)
    own_words = _WAKE_ECHO.sub("", text).strip()
    words = normalise(own_words)
    count = len(words.split())
    if count == 0:
        return Intent("unclear", text)
    if count <= MAX_COMMAND_WORDS:
        for name, patterns in _COMPILED:
            if any(p.search(words) for p in patterns):
                return Intent(name, text)
    if count >= MIN_GLIMMER_WORDS:
        return Intent("glimmer", own_words)
    return Intent("unclear", text)
