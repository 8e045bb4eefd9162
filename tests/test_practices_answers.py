"""Spoken controls and answers: what counts as stop or skip, a rating, "nothing", a chosen option, a correction."""

import pytest

from assistant.controls import Control, parse_control
from assistant.practices.answers import choose_option, is_nothing, parse_rating
from assistant.practices.correction import Correction, parse_correction


@pytest.mark.parametrize("text, control", [
    ("Stop.", Control.STOP), ("Okay, stop please.", Control.STOP), ("Stop, stop.", Control.STOP),
    ("Stops.", Control.STOP), ("I want to stop", Control.STOP), ("That's enough.", Control.STOP),
    ("Glimmer, stop.", Control.STOP),
    ("Pause.", Control.PAUSE), ("Hold on.", Control.PAUSE), ("Give me a moment.", Control.PAUSE),
    ("Be quiet, please.", Control.PAUSE), ("Wait.", Control.PAUSE), ("be quiet for a moment", Control.PAUSE),
    ("Pause here.", Control.PAUSE), ("Can we pause?", Control.PAUSE), ("I need a moment.", Control.PAUSE),
    ("Continue.", Control.CONTINUE), ("Go on.", Control.CONTINUE), ("I'm ready", Control.CONTINUE),
    ("Repeat.", Control.REPEAT), ("Can you repeat that?", Control.REPEAT), ("Sorry?", Control.REPEAT),
    ("Slower.", Control.SLOWER), ("Slow down, please.", Control.SLOWER), ("Skip.", Control.SKIP),
    ("Skip this one.", Control.SKIP), ("Next.", Control.SKIP),
    ("the bus stop in the sun", None), ("I had to wait for the kettle", None), ("no", None),
    ("okay", None), ("the next door cat", None), ("a slower morning", None), ("a quiet street", None),
    ("a pause here by the window", None),
])
def test_controls_are_whole_utterances(text, control):
    assert parse_control(text) is control


@pytest.mark.parametrize("text, value", [
    ("About a six.", 6), ("six", 6), ("6", 6), ("A seven, maybe.", 7), ("maybe 7", 7), ("Zero.", 0),
    ("ten", 10), ("6 out of 10", 6), ("It's about a 4/10.", 4), ("five and a half", 5), ("Six or seven.", 6),
    ("I don't know", None), ("skip", None), ("purple", None), ("100", None), ("eleven", None),
])
def test_ratings_from_speech(text, value):
    assert parse_rating(text) == value


@pytest.mark.parametrize("text, nothing", [
    ("Nothing.", True), ("Nothing today.", True), ("Um, I don't know.", True), ("Not really, sorry.", True),
    ("skip", True), ("I can't think of anything.", True), ("the light on the wall", False),
    ("nothing special, just tea with my sister", False),
])
def test_nothing_is_a_complete_answer(text, nothing):
    assert is_nothing(text) is nothing


def test_options_by_words_label_yes_no_and_position():
    labels = ["one from your journal", "one from today", "something neutral"]
    match = [("journal", "old one"), ("today",), ("neutral",)]
    assert choose_option("The one from today, I think.", labels, match) == 1
    assert choose_option("An old one", labels, match) == 0
    assert choose_option("the last one", labels, match) == 2
    assert choose_option("hmm", labels, match) is None
    assert choose_option("Yes, please.", ["yes", "no"], [(), ()]) == 0
    assert choose_option("No, I'm okay.", ["yes", "no"], [(), ()]) == 1
    assert choose_option("I'm okay thanks", ["yes", "no"], [(), ()]) == 1


@pytest.mark.parametrize("text, wish", [
    ("That's not right.", Correction.CHANGE), ("No, that's not right.", Correction.CHANGE),
    ("Change it.", Correction.CHANGE), ("Let me say it again.", Correction.CHANGE),
    ("Undo.", Correction.UNDO), ("Delete that.", Correction.UNDO), ("Don't keep that.", Correction.UNDO),
    ("Oh, undo that, please.", Correction.UNDO), ("Don\u2019t keep that", Correction.UNDO),
    ("I decided to change my route.", None), ("Undo the knot in my laces.", None), ("Yes, please.", None),
    ("No.", None), ("", None), ("change my mind about the day", None),
])
def test_a_correction_is_the_whole_answer(text, wish):
    assert parse_correction(text) is wish
