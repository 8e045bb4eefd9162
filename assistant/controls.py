"""Spoken controls during a practice: stop, pause, continue, repeat, slower, skip.

A control is recognised only when the whole utterance is a control phrase (give or take "please", "okay",
the wake phrase and similar padding), so an answer such as "the bus stop in the sun" is never taken for "stop".
"""

import enum
import re


class Control(enum.Enum):
    STOP = "stop"
    PAUSE = "pause"
    CONTINUE = "continue"
    REPEAT = "repeat"
    SLOWER = "slower"
    SKIP = "skip"


_PHRASES: dict[Control, tuple[str, ...]] = {
    Control.STOP: ("stop", "stops", "stop it", "stop now", "stop this", "stop the practice", "stop here",
                   "stop there", "end", "end it here", "end the practice", "finish", "i want to stop",
                   "i'd like to stop", "i would like to stop", "let's stop", "can we stop", "that's enough",
                   "enough", "quit", "cancel", "stop that", "no more", "i'm done", "done"),
    Control.PAUSE: ("pause", "pause it", "pause please", "pause here", "pause there", "let's pause", "can we pause",
                    "i need a pause", "i need a moment", "wait", "hold on", "hang on", "one moment",
                    "just a moment", "a moment", "give me a moment", "give me a minute", "one minute",
                    "one second", "just a second", "wait a moment", "wait a minute", "hold on a moment", "be quiet",
                    "quiet", "shush", "hush"),
    Control.CONTINUE: ("continue", "go on", "carry on", "resume", "keep going", "i'm ready", "ready",
                       "let's continue", "let's go on", "you can continue", "you can go on", "unpause"),
    Control.REPEAT: ("repeat", "repeat that", "repeat it", "say that again", "say it again", "again",
                     "what", "sorry", "pardon", "come again", "what did you say", "can you repeat that",
                     "could you repeat that", "one more time", "i didn't catch that", "i missed that"),
    Control.SLOWER: ("slower", "slow down", "more slowly", "slowly", "too fast", "you're too fast",
                     "a bit slower", "a little slower", "speak slower", "speak more slowly", "go slower"),
    Control.SKIP: ("skip", "skip it", "skip this", "skip that", "skip this one", "skip this step", "next",
                   "next one", "move on", "let's move on", "pass", "i'll pass"),
}
_LOOKUP = {phrase: control for control, phrases in _PHRASES.items() for phrase in phrases}
_PADDING = re.compile(r"^(?:(?:hey )?glimmer|okay|ok|um+|uh+|oh|so|and|just|please|can you|could you|"
                      r"would you|maybe|yes|yeah)\s+|\s+(?:please|now|then|thanks|thank you|for now|"
                      r"for a bit|for a moment|a bit|glimmer)$")


def normalise(text: str) -> str:
    """Lowercase words with plain apostrophes, no punctuation, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def parse_control(text: str) -> Control | None:
    """The control `text` asks for, or None when it is an ordinary answer."""
    words = re.sub(r"\b(\w+)(?: \1\b)+", r"\1", normalise(text))  # "stop, stop" = "stop"
    for _ in range(4):
        if words in _LOOKUP:
            return _LOOKUP[words]
        stripped = _PADDING.sub("", words).strip()
        if stripped == words:
            break
        words = stripped
    return _LOOKUP.get(words)
