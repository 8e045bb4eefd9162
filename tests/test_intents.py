"""Short commands after the wake phrase pick an intent; longer speech is the glimmer itself."""

import pytest

from assistant.intents import parse_intent


@pytest.mark.parametrize("text, intent", [
    ("I have a glimmer.", "capture"),
    ("Log a glimmer", "capture"),
    ("I've got a glimmer for you", "capture"),
    ("Guide me.", "savor"),
    ("Let's savor.", "savor"),
    ("Let's savour something", "savor"),
    ("Ground me, please.", "ground"),
    ("I need grounding.", "ground"),
    ("Play me a glimmer.", "replay"),
    ("Never mind.", "stop"),
    ("Cancel", "stop"),
    ("Can we do a check-in?", "checkin"),
    ("Help me with integration after my session", "integration"),
    ("Track my body", "body"),
    ("The rain on the window sounded soothing.", "glimmer"),
    ("Hey glimmer, the rain on the window sounded soothing.", "glimmer"),
    ("My body felt warm in the sun on the bus this morning.", "glimmer"),
    ("My cat purred on my lap while I was reading.", "glimmer"),
    ("I don't want to be alive anymore.", "support"),
    ("Hey glimmer, I can't go on like this.", "support"),
    ("I have a glimmer, but I want to die.", "support"),
    ("I felt safe and warm with my dog.", "glimmer"),
    ("", "unclear"),
    ("Um.", "unclear"),
    ("Hello there", "unclear"),
])
def test_intents(text, intent):
    assert parse_intent(text).name == intent


@pytest.mark.parametrize("heard", ["Hey Glimmer, the smell of coffee at dawn felt like home.",
                                   "Glimmer. the smell of coffee at dawn felt like home."])
def test_the_glimmer_keeps_the_persons_words_without_the_wake_phrase(heard):
    assert parse_intent(heard).text == "the smell of coffee at dawn felt like home."
