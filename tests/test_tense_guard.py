"""The tense guard keeps the plain decode's words and takes from the prompted decode only the regular past
tense of a word it substitutes (and "I" for an "a" right before one)."""

import pytest

from assistant.speech.tense_guard import guarded, is_past_of, merged
from assistant.speech.transcript import Transcript, Word


def merge(plain: str, prompted: str) -> str:
    return " ".join(merged(plain.split(), prompted.split()))


@pytest.mark.parametrize("plain, prompted, kept", [
    ("I notice the leaves turning red.", "I noticed the leaves turning red.", "I noticed the leaves turning red."),
    ("I stop the car and watch the sun go down behind the hills.",
     "I stopped the car and watched the sun go down behind the hills.",
     "I stopped the car and watched the sun go down behind the hills."),
    ("We carry the shopping and plan dinner.", "We carried the shopping and planned dinner.",
     "We carried the shopping and planned dinner."),
    ("a walk to the river after lunch.", "I walked to the river after lunch.", "I walked to the river after lunch."),
    ("A walk to the river.", "I walked to the river.", "I walked to the river."),
])
def test_dropped_endings_are_restored(plain, prompted, kept):
    assert merge(plain, prompted) == kept


def test_a_present_tense_answer_stays_present():
    said = "Right now I notice my breathing slow down."
    assert merge(said, said) == said


def test_a_repeated_sentence_is_not_kept():
    plain = "I fed the birds and they land close to my feet."
    prompted = "I fed the birds and they landed close to my feet. I fed the birds and they landed close"
    assert merge(plain, prompted) == "I fed the birds and they landed close to my feet."


def test_an_inserted_word_or_other_change_keeps_the_plain_words():
    assert merge("The tea was warm.", "Yesterday the tea was warm and sweet.") == "The tea was warm."
    assert merge("I walk home.", "I went home.") == "I walk home."         # not a regular past tense of walk
    assert merge("The light was soft.", "The lights were soft.") == "The light was soft."
    assert merge("I watch it", "I watched") == "I watch it"  # two words for one: not a substitution


def test_a_is_I_only_before_a_restored_past_tense():
    assert merge("a walk to the shop", "I walk to the shop") == "a walk to the shop"
    assert merge("a dog barked", "I dog barked") == "a dog barked"
    assert merge("It was a walk", "It was a walked") == "It was a walked"  # the prompted decode kept "a" too


def test_nothing_heard_plainly_stays_nothing():
    assert merged([], "Yesterday evening, we stopped and rested.".split()) == []


@pytest.mark.parametrize("past, word, expected", [
    ("noticed", "notice", True), ("walked", "walk", True), ("stopped", "stop", True), ("carried", "carry", True),
    ("played", "play", True), ("plaied", "play", False), ("walk", "walk", False), ("notice", "noticed", False),
    ("needed", "need", True), ("ied", "i", False), ("sat", "sit", False),
])
def test_regular_past_tenses(past, word, expected):
    assert is_past_of(past, word) is expected


def test_the_guarded_transcript_keeps_the_plain_times_and_punctuation():
    plain = Transcript("I notice the leaves.", (Word("I", 0.0, 0.2, 0.9), Word("notice", 0.2, 0.7, 0.8),
                                                Word("the", 0.7, 0.8, 0.9), Word("leaves.", 0.8, 1.3, 0.7)), 0.82)
    kept = guarded(plain, Transcript("I noticed the leaves, and rested."))
    assert kept.text == "I noticed the leaves."
    assert [(w.start, w.end, w.confidence) for w in kept.words] == [(w.start, w.end, w.confidence) for w in plain.words]
    assert kept.confidence == 0.82
    assert guarded(plain, Transcript("I notice the leaves today.")) is plain
    assert guarded(Transcript(""), Transcript("We stopped and rested.")).text == ""


def test_punctuation_words_are_kept_in_place():
    plain = Transcript("I stop the car and watch the hills.", tuple(
        Word(t, n / 10, n / 10 + 0.1, 0.9) for n, t in enumerate(["I", "stop", "the", "car", "and", "watch", "the",
                                                                 "hills", "."])), 0.9)
    kept = guarded(plain, Transcript("I stopped the car and watched the hills."))
    assert kept.text == "I stopped the car and watched the hills."
    assert [w.text for w in kept.words] == ["I", "stopped", "the", "car", "and", "watched", "the", "hills", "."]
