"""Distress language is caught, glimmer language is not, and the support message is plain and honest."""

import pytest

from assistant.config import SafetySettings
from assistant.safety import is_distress, support_message

DISTRESS = [
    "I want to die.", "Sometimes I think about killing myself", "I've been having suicidal thoughts",
    "I can't go on.", "I can't go on anymore", "I can't do this anymore", "I don't feel safe",
    "I'm not safe at home", "I feel unsafe", "I want to hurt myself", "I've been cutting myself again",
    "I wish I wasn't here", "I wish I was dead", "everyone would be better off without me",
    "I just want to end it", "I want to end my life", "there's no reason to live",
    "I don't want to wake up tomorrow", "he keeps hurting me", "I took an overdose", "self-harm again",
    "Nothing. I want to disappear, I want to die, honestly",
]
GLIMMERS = [
    "I felt safe", "I felt safe and warm with my dog", "just killing time on the porch in the sun",
    "my feet are killing me but the bath was lovely", "I'm dying to see her again", "dead tired but okay",
    "a chocolate cake to die for", "my phone was dead so it was quiet", "I cut myself a slice of cake",
    "I can't go on the trip, but the sun was nice", "I didn't feel safe at work, but the tea helped",
    "the bus stop in the rain", "nothing really", "I hurt my back but my friend called",
    "safe", "a safe, quiet morning", "I could go on and on about the sunset", "the end of the day felt calm",
]


@pytest.mark.parametrize("text", DISTRESS)
def test_distress_is_recognised(text):
    assert is_distress(text)


@pytest.mark.parametrize("text", GLIMMERS)
def test_glimmer_language_is_not_distress(text):
    assert not is_distress(text)


def test_support_message_speaks_the_configured_numbers_and_what_this_is():
    lines = support_message(SafetySettings(crisis_line="116 123, the Samaritans", emergency_number="999"))
    text = " ".join(lines)
    assert 3 <= len(lines) <= 7
    assert "not a counsellor" in text and "1 1 6 1 2 3, the Samaritans" in text and "call 9 9 9" in text
    assert "someone you trust" in text and "therapist" in text and "grounding" in text
    default = " ".join(support_message(SafetySettings()))
    assert "9 8 8" in default and "9 1 1" in default
