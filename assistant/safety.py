"""Distress language → a short, warm support response that points to people who can help.

Choices, written down so they can be argued with:
- Recall over precision. Ending a practice kindly when it was not needed costs little; missing someone who
  said they want to die costs a lot. So "I cut myself" and "I hurt myself" count even though they can be
  accidents, and a denial such as "I'm not suicidal" still counts (negation is too easy to mishear).
- Glimmer language must not trip it: "I felt safe", "safe and warm", "killing time", "my feet are killing
  me", "dying to see her", "dead tired", "to die for", "my phone was dead", "I cut myself a slice of cake",
  "I can't go on the trip" are all fine.
- "Not safe" counts only about the person now: "I don't feel safe", "I'm not safe", "I feel unsafe",
  "someone is hurting me". "I didn't feel safe at work" (past) is not counted: it is a hard day said in the
  past tense, common in a check-in, and the practice can hold it.
- "Can't go on" counts when it ends the thought ("I can't go on", "...anymore", "...like this"), not when it
  continues ("I can't go on the trip").
- "Hopeless", "exhausted", "I'm not okay" alone are not counted: painful, but not a statement of danger.
"""

import re
from collections.abc import Callable

from assistant.config import SafetySettings
from assistant.controls import Control, normalise, parse_control
from assistant.practices.ports import Dialog

OFFER_WAIT_S = 10.0  # how long to listen for "repeat" after the support message

_END = r"(?=$| and(?! on)| but| so| i | because)"  # the thought ends here
_PATTERNS = (
    r"\bsuicid",
    r"\bkill(ing)? my ?self\b",
    r"\b(end|ending|take|taking) my (own )?life\b",
    r"\b(end|ending) it all\b",
    r"\b(want|wanted|going|gonna|planning|plan|ready) to end it" + _END,
    r"\b(want|wanted|wanting|wanna|going|ready) to die\b",
    r"\bwish(ed)? i (was|were|had) (dead|died|never been born|not alive)\b",
    r"\bwish i (wasn't|weren't|was not|were not) (here|alive|around)\b",
    r"\bbetter off (dead|without me)\b",
    r"\b(don't|do not|didn't) want to (live|be alive|exist|wake up|be here any ?more)\b",
    r"\b(no|nothing) (reason |point )?(to|in) liv(e|ing)\b",
    r"\bnothing (left )?to live for\b",
    r"\b(not|isn't|is not) worth living\b",
    r"\b(hurt|hurting|harm|harming|cut|cutting|burn|burning) my ?self\b(?! (a|an|some|another) )",
    r"\bself ?harm",
    r"\boverdos",
    r"\b(can't|cannot|can not) (go on|keep going|do this|take (it|this))( any ?more| like this| living)?" + _END,
    r"\b(i'm|i am|im) not safe\b",
    r"\b(don't|do not) feel safe\b",
    r"\b(feel|feeling|i'm|i am|im) unsafe\b",
    r"\b(i'm|i am|im) in danger\b",
    r"\b(someone|somebody|he|she|they) (is |are |keeps |keep )?(hurting|hitting|threatening) me\b",
    r"\b(going to|gonna|will) (hurt|kill) me\b",
    r"\bno way out\b",
)
_DISTRESS = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def is_distress(text: str) -> bool:
    """True when `text` speaks of self-harm, suicide, wanting to die or not being safe."""
    clauses = re.split(r"[.!?;,:\n]+|\s[-\u2013\u2014]+\s", text)
    return any(_DISTRESS.search(normalise(clause)) for clause in clauses)


def support_message(settings: SafetySettings) -> list[str]:
    """A few plain sentences: stop, be honest about what this is, and point to people who can help."""
    return [
        "Thank you for telling me.",
        "I'm a voice companion, not a counsellor, and you deserve support from a real person.",
        f"You can reach a crisis line at {_spoken(settings.crisis_line)}, at any hour.",
        f"If you are in danger right now, please call {_spoken(settings.emergency_number)}.",
        "You might also reach out to someone you trust, or to your therapist. "
        "And later, if you'd like, I can guide a short grounding with you.",
        "If you'd like me to say the number again, just say repeat.",
    ]


def _spoken(text: str) -> str:
    """Digits read one by one ("988" → "9 8 8"), so a voice does not say "nine hundred eighty-eight"."""
    return re.sub(r"\d{2,}", lambda m: " ".join(m.group()), text)


def offer_support(dialog: Dialog, settings: SafetySettings, emit: Callable[[dict], None]) -> None:
    """Speak the support message and, if asked ("repeat", "yes"), the numbers once more. Contacts no one."""
    lines = support_message(settings)
    emit({"event": "support"})
    for line in lines:
        dialog.say(line)
    text = dialog.listen("command", OFFER_WAIT_S).text
    if parse_control(text) is Control.REPEAT or re.match(r"(yes|yeah|please|okay|ok|sure)\b", normalise(text)):
        for line in lines[2:4]:
            dialog.say(line)
