"""Reading spoken answers: a 0–10 rating, "nothing" and its cousins, which option was chosen."""

import re

from assistant.controls import normalise

_NUMBERS = {"zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
            "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_NUMBER = re.compile(r"\b(10|[0-9]|" + "|".join(_NUMBERS) + r")\b")
_NOTHING = {
    "nothing", "nothing today", "nothing really", "nothing at all", "nothing comes", "nothing comes to mind",
    "not really", "not today", "no", "nope", "nah", "none", "not much", "i don't know", "don't know", "dunno",
    "i'm not sure", "not sure", "no idea", "i have no idea", "i can't think of anything", "can't think of anything",
    "i can't", "i don't", "i don't want to", "i'd rather not", "rather not", "still nothing", "not now",
    "i don't know really", "i really don't know", "skip", "pass", "no thanks", "no thank you", "nothing yet",
    "i'm not sure really", "not right now", "nothing right now", "i can't tell", "hard to say", "no answer",
}
_YES = ("yes", "yeah", "yep", "yup", "sure", "okay", "ok", "alright", "all right", "please", "i'd like that",
        "i would", "i'd like to", "why not", "let's", "go ahead", "i think so")
_NO = ("no", "nope", "nah", "not now", "not today", "not really", "i'd rather not", "rather not",
       "no thanks", "no thank you", "i'm okay", "i'm good", "i don't think so", "not this time")
_ORDINALS = (("first", "the first one", "number one", "option one"), ("second", "the second one", "number two",
             "option two", "the middle one"), ("third", "the third one", "number three", "option three"))
_FILLER = re.compile(r"^(?:um+|uh+|er+|hmm+|oh|well|so|i think|i guess|maybe|honestly|just|really)\s+")


def is_nothing(text: str) -> bool:
    """True for "nothing", "I don't know", "not really", "skip" and the like: a complete answer, not a glimmer."""
    words = normalise(text)
    while True:
        if words in _NOTHING:
            return True
        stripped = _FILLER.sub("", words)
        if stripped == words:
            break
        words = stripped
    words = re.sub(r"\s+(?:really|today|right now|at the moment|sorry|i'm afraid|to be honest)$", "", words)
    return words in _NOTHING


def parse_rating(text: str) -> int | None:
    """The 0–10 number in a spoken rating ("about a six" → 6, "a seven maybe" → 7, "6 out of 10" → 6).

    None when no number in range is heard; the caller decides whether that was "skip" or unclear.
    """
    words = normalise(text.replace("/", " out of "))
    words = re.sub(r"\b(out of|of|from) (10|ten)\b", " ", words)
    match = _NUMBER.search(words)
    if match is None:
        return None
    token = match.group(1)
    return int(token) if token.isdigit() else _NUMBERS[token]


def choose_option(text: str, labels: list[str], match: list[tuple[str, ...]]) -> int | None:
    """Index of the option `text` picks: by its words, its label, yes/no synonyms, or first/second/last."""
    words = f" {normalise(text)} "
    best: tuple[int, int] | None = None  # (position in the answer, option index)
    for index, (label, extra) in enumerate(zip(labels, match, strict=True)):
        phrases = [normalise(label), *(normalise(m) for m in extra)]
        if normalise(label) == "yes":
            phrases += _YES
        elif normalise(label) == "no":
            phrases += _NO
        if index < len(_ORDINALS):
            phrases += _ORDINALS[index]
        if index == len(labels) - 1:
            phrases += ("last", "the last one")
        for phrase in phrases:
            position = words.find(f" {phrase} ")
            if phrase and position >= 0 and (best is None or position < best[0]):
                best = (position, index)
    return None if best is None else best[1]
