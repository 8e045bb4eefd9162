"""A spoken correction after a glimmer is read back: "change it" (say it again) or "undo" (remove it).

Like the controls, a correction is recognised only when it is the whole answer (give or take "no", "oh",
"sorry", "please"), so a glimmer such as "I decided to change my route" is never taken for one.
"""

import enum
import re

from assistant.controls import normalise

INVITE = "If I got that wrong, you can say change it, or undo."
SAY_AGAIN = "Of course. Whenever you're ready, say it again, in your own words."
SAY_AGAIN_REASK = "There's no hurry. You can say it again, or say nothing, and I'll leave it as it was."
LEFT_AS_IT_WAS = "That's okay. I've left it as it was."
REMOVED = "Okay. I haven't kept it. It's gone from your journal."


class Correction(enum.Enum):
    CHANGE = "change"
    UNDO = "undo"


_PHRASES: dict[Correction, tuple[str, ...]] = {
    Correction.CHANGE: ("that's not right", "that is not right", "that's not quite right", "not right",
                        "that's wrong", "that is wrong", "wrong", "change it", "change that", "change",
                        "let me say it again", "let me say that again", "can i say it again",
                        "i'll say it again", "let me try again", "that's not what i said",
                        "that isn't what i said", "you got it wrong", "you got that wrong"),
    Correction.UNDO: ("undo", "undo that", "undo it", "delete that", "delete it", "delete", "don't keep that",
                      "don't keep it", "do not keep that", "do not keep it", "remove that", "remove it",
                      "don't save that", "don't save it", "take that out", "forget that"),
}
_LOOKUP = {phrase: wish for wish, phrases in _PHRASES.items() for phrase in phrases}
_PADDING = re.compile(r"^(?:no|oh|oops|sorry|actually|um+|uh+|hmm+|well|please|can you|could you|"
                      r"(?:hey )?glimmer)\s+|\s+(?:please|thanks|thank you|glimmer)$")


def parse_correction(text: str) -> Correction | None:
    """The correction `text` asks for, or None when it is anything else."""
    words = normalise(text)
    while words not in _LOOKUP:
        stripped = _PADDING.sub("", words).strip()
        if stripped == words:
            return None
        words = stripped
    return _LOOKUP[words]
