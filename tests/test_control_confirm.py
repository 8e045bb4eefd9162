"""The closed question for stop and pause words heard over Glimmer's voice (Whisper tiny.en, real speech)."""

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE
from assistant.controls import parse_control
from assistant.speech.barge_in import MOST_DEFICIT, MOST_PRIMED_DEFICIT, WATCHED
from assistant.speech.control_confirm import PHRASES, load_control_confirmer
from assistant.speech.models import embedded_whisper
from tests.support.audio import trimmed

SEED = 50400          # hibari seeds no bench or training uses


@pytest.fixture(scope="module")
def confirmer():
    found = load_control_confirmer(embedded_whisper())
    if found is None:
        pytest.skip("no Whisper model installed")
    return found


def said(samples: np.ndarray) -> np.ndarray:
    """Speech as the barge-in cuts it: a little quiet before and after."""
    quiet = np.zeros(int(0.15 * SAMPLE_RATE), np.int16)
    return np.concatenate([quiet, trimmed(samples), quiet])


@pytest.mark.parametrize(("text", "phrase"), [("Stop.", "Stop"), ("Hold on.", "Hold on"), ("Wait!", "Wait"),
                                              ("Be quiet.", "Be quiet"), ("Stop, please.", "Stop, please")])
def test_a_stop_or_pause_said_alone_is_its_phrase(confirmer, speak, text, phrase):
    closest = confirmer.closest(said(speak(text, seed=SEED)), MOST_DEFICIT)
    assert closest.phrase == phrase and closest.deficit <= MOST_DEFICIT


@pytest.mark.parametrize("text", ["The bus stop is near.", "Stop the music in the kitchen.", "I stopped at the shop.",
                                  "Thank you.", "Wait for me by the door.", "The pause felt long."])
def test_words_that_are_not_a_stop_alone_are_far_from_every_phrase(confirmer, speak, text):
    assert confirmer.closest(said(speak(text, seed=SEED + 1)), MOST_DEFICIT).deficit > MOST_DEFICIT


@pytest.mark.parametrize("text", ["Thank you.", "That's nice.", "I like that.", "The bus stop is near.", "Sorry.",
                                  "Oh, wow.", "Please."])
def test_everyday_words_stay_far_from_every_phrase_when_it_is_asked_primed(confirmer, speak, text):
    assert confirmer.closest(said(speak(text, seed=SEED + 1)), MOST_PRIMED_DEFICIT, primed=True).deficit \
        > MOST_PRIMED_DEFICIT


def test_every_phrase_asked_about_is_a_stop_or_pause_control():
    assert all(parse_control(phrase) in WATCHED for phrase in PHRASES)
