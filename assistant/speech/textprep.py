"""Text prepared for speaking: pause markers become exact silences, numbers and abbreviations become words.

A pause marker is `[pause 5]`, `[pause 5s]` or `[pause 2.5 seconds]`: silence of exactly that length, never
spoken, from 1 to 60 seconds like a practice's pause step. Everything else is split into sentences, each read
by the voice as one unit.
"""

import re
from dataclasses import dataclass

from assistant.errors import GlimmerError

PAUSE_LIMITS_S = (1.0, 60.0)  # shortest and longest pause, inline or as a practice step


@dataclass(frozen=True)
class Pause:
    """Silence of an exact length."""

    seconds: float


_PAUSE = re.compile(r"\[\s*pause\s+(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)?\s*\]", re.IGNORECASE)

_ABBREVIATIONS = {
    "e.g.": "for example", "i.e.": "that is", "etc.": "and so on", "approx.": "about", "vs.": "versus",
    "Dr.": "Doctor", "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "St.": "Saint",
    "OK": "okay", "Ok": "okay", "&": "and", "w/": "with",
}
_ABBREV = re.compile("|".join(rf"(?<![\w.]){re.escape(k)}(?!\w)" for k in
                              sorted(_ABBREVIATIONS, key=len, reverse=True)))
_UNITS = {"s": "seconds", "sec": "seconds", "secs": "seconds", "min": "minutes", "mins": "minutes",
          "h": "hours", "hr": "hours", "hrs": "hours", "%": "percent"}

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_ENDINGS = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                    "nine": "ninth", "twelve": "twelfth"}


def cardinal(n: int) -> str:
    """0 <= n < 10**9 in words: 42 -> "forty-two", 1250 -> "one thousand two hundred fifty"."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return f"{cardinal(head)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise ValueError(n)


def ordinal(n: int) -> str:
    """3 -> "third", 21 -> "twenty-first"."""
    words = cardinal(n)
    stem, sep, last = words.rpartition("-") if "-" in words.split()[-1] else words.rpartition(" ")
    if last in _ORDINAL_ENDINGS:
        last = _ORDINAL_ENDINGS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return stem + sep + last


def number_words(text: str) -> str:
    """One number token ("1,250", "2.5", "07") in words."""
    whole, _, frac = text.replace(",", "").partition(".")
    words = cardinal(int(whole)) if len(whole) < 10 else " ".join(_ONES[int(d)] for d in whole)
    return words + (" point " + " ".join(_ONES[int(d)] for d in frac) if frac else "")


def _time(m: re.Match) -> str:
    hour, minute = int(m[1]), int(m[2])
    if minute == 0:
        return f"{cardinal(hour)} o'clock"
    return f"{cardinal(hour)} " + (f"oh {cardinal(minute)}" if minute < 10 else cardinal(minute))


_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RULES: tuple[tuple[re.Pattern, object], ...] = (
    (re.compile(r"\b(\d{1,2}):(\d{2})\b"), _time),
    (re.compile(rf"({_NUM})\s*(%|(?:s|sec|secs|min|mins|h|hr|hrs)\b)"),
     lambda m: f"{m[1]} {_UNITS[m[2]] if m[1] != '1' else _UNITS[m[2]].rstrip('s')}"),
    (re.compile(r"\b\d+(?:-\d+){2,}\b"), lambda m: ", ".join(number_words(n) for n in m[0].split("-"))),
    (re.compile(rf"\b({_NUM})\s*[–—-]\s*({_NUM})\b"), lambda m: f"{number_words(m[1])} to {number_words(m[2])}"),
    (re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"), lambda m: ordinal(int(m[1]))),
    (re.compile(rf"(?<![\w.])({_NUM})(?!\w|[.,]\d)"), lambda m: number_words(m[1])),
)


def normalize(text: str) -> str:
    """Abbreviations, times, ranges, ordinals, units and numbers spelled out as they are spoken."""
    text = re.sub(r"\betc\.$", "and so on.", text.strip())          # "etc." can end the sentence too
    text = _ABBREV.sub(lambda m: _ABBREVIATIONS[m[0]], text)
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(]*[A-Z0-9])")


def sentences(text: str) -> list[str]:
    """Split text into sentences: end punctuation followed by a capital or a digit, except after a title
    or abbreviation ("Dr. Lee", "e.g. Tea")."""
    parts = []
    for line in text.splitlines():
        cut = 0
        for m in _SENTENCE_END.finditer(line):
            if not _ends_abbreviation(line[:m.start()]):
                parts.append(line[cut:m.start()])
                cut = m.end()
        parts.append(line[cut:])
    return [p.strip() for p in parts if re.search(r"\w", p)]


def _ends_abbreviation(text: str) -> bool:
    return any(text.endswith(k) and (len(text) == len(k) or not text[-len(k) - 1].isalnum())
               for k in _ABBREVIATIONS if k.endswith(".") and k != "etc.")


def pause_problems(text: str) -> list[str]:
    """What is wrong with each pause marker in `text` that is shorter or longer than PAUSE_LIMITS_S."""
    low, high = PAUSE_LIMITS_S
    return [f"'{m[0]}' is outside {low:g} .. {high:g} seconds; use a pause in that range"
            for m in _PAUSE.finditer(text) if not low <= float(m[1]) <= high]


def check_pauses(text: str) -> None:
    """Raise GlimmerError for the first pause marker outside PAUSE_LIMITS_S."""
    problems = pause_problems(text)
    if problems:
        raise GlimmerError(problems[0])


def without_pauses(text: str) -> str:
    """`text` with its pause markers taken out (for a person's own words, which are never instructions)."""
    return " ".join(_PAUSE.sub(" ", text).split())


def prepare(text: str) -> list[str | Pause]:
    """Sentences to speak (numbers and abbreviations spelled out) and exact pauses, in order; a pause marker
    outside PAUSE_LIMITS_S is a GlimmerError."""
    check_pauses(text)
    out: list[str | Pause] = []
    cut = 0
    for m in [*_PAUSE.finditer(text), None]:
        out += [normalize(sentence) for sentence in sentences(text[cut:m.start() if m else len(text)])]
        if m:
            out.append(Pause(float(m[1])))
            cut = m.end()
    return out
