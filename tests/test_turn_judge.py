"""Answers read ahead while their silence runs, and ended early when they sound finished (on real speech)."""

import numpy as np
import pytest

from assistant.audio.frames import to_int16
from assistant.audio.sources import TurnFeeder
from assistant.config import ListenSettings, SttSettings
from assistant.speech.end_of_turn import EndOfTurn
from assistant.speech.endpoint import Listener
from assistant.speech.transcribe import make_transcriber
from assistant.speech.turn_judge import TurnJudge, early_end_plan
from assistant.speech.unfinished import sounds_unfinished
from scripts.bench_turn import silence
from scripts.wake_voices import speak


class Counting:
    """The real transcriber, counting its calls."""

    def __init__(self) -> None:
        self.inner = make_transcriber(SttSettings())
        self.calls = 0

    def transcribe(self, samples, purpose=None):
        self.calls += 1
        return self.inner.transcribe(samples, purpose)


@pytest.fixture(scope="module")
def said():
    def say(text: str) -> np.ndarray:
        return to_int16(speak("hibari", "heart", text, speed=0.9, seed=3))
    return say


def listen(judge: TurnJudge, *parts: np.ndarray):
    feeder = TurnFeeder([np.concatenate([silence(0.3), *parts, silence(4.0)])])
    feeder.begin_turn()
    listener = Listener(feeder, ListenSettings())
    early = judge.answer()
    audio = listener.listen("answer", timeout_s=5.0, early=early)
    return audio, listener.last, early


def test_an_answer_is_read_once_while_its_silence_runs(said):
    counting = Counting()
    audio, ends, early = listen(TurnJudge(counting), said("The kettle sang and the kitchen felt warm."))
    assert ends is not None and not ends.judged_over
    assert ends.returned_s - ends.speech_end_s == pytest.approx(ListenSettings().answer_silence_s, abs=0.05)
    transcript = early.transcript(audio)
    assert transcript is not None and "kettle" in transcript.text.lower() and counting.calls == 1


def test_a_pause_inside_an_answer_is_read_and_then_read_again_whole(said):
    counting = Counting()
    audio, ends, early = listen(TurnJudge(counting), said("I was lying on the..."), silence(1.5),
                                said("couch with a blanket over my legs."))
    text = early.transcript(audio).text.lower()
    assert "lying" in text and "blanket" in text and counting.calls == 2   # the pause's reading was dropped


def test_other_audio_than_the_one_read_gets_no_transcript(said):
    audio, _, early = listen(TurnJudge(Counting()), said("The rain was soft."))
    assert early.transcript(audio[:-1600]) is None


@pytest.mark.parametrize("model", [None, "smart-turn"], ids=["words", "words and model"])
def test_a_finished_answer_ends_early_and_a_trailing_one_waits(said, model):
    judge = TurnJudge(Counting(), ends_early=True, model=EndOfTurn() if model else None)
    _, finished, _ = listen(judge, said("My grandma called me just to hear my voice."))
    assert finished.judged_over and finished.returned_s - finished.speech_end_s < 1.5
    _, trailing, _ = listen(judge, said("I was sitting on the..."))
    assert not trailing.judged_over
    assert trailing.returned_s - trailing.speech_end_s == pytest.approx(ListenSettings().answer_silence_s, abs=0.05)


def test_answers_end_early_only_when_asked_where_going_on_can_be_heard_and_the_model_only_when_asked():
    ends_early, model, line = early_end_plan(ListenSettings(end_of_turn=False))
    assert not ends_early and model is None and "read ahead" in line
    ends_early, model, line = early_end_plan(ListenSettings())    # on by default
    assert ends_early and model is None and "0.7 s" in line and "open for 3 s" in line
    ends_early, model, line = early_end_plan(ListenSettings(end_of_turn=True), hears_on=False)
    assert not ends_early and "half-duplex" in line
    ends_early, model, line = early_end_plan(ListenSettings(end_of_turn=True, turn_model=True))
    assert ends_early and isinstance(model, EndOfTurn) and "0.7 s" in line
    ends_early, model, line = early_end_plan(ListenSettings(end_of_turn=True, turn_check_s=2.5))
    assert not ends_early and model is None and "not shorter" in line


@pytest.mark.parametrize("text", ["I was sitting on the", "I noticed...", "My shoulders, and", "It was, um",
                                  "We walked to the park and", "I felt it in my", "It was, you know",
                                  "The smell of", "Something like —", "I'm", "The sun was warm,"])
def test_words_left_hanging_are_unfinished(text):
    assert sounds_unfinished(text, punctuated=True) and sounds_unfinished(text, punctuated=False)


@pytest.mark.parametrize("text", ["My dog fell asleep on my foot.", "That's how I felt.", "It was the light.",
                                  "Nothing really.", "I wish I could!", "Was it?"])
def test_finished_sentences_are_not(text):
    assert not sounds_unfinished(text, punctuated=True)


def test_without_punctuation_only_an_engine_that_punctuates_counts_it():
    assert sounds_unfinished("my dog fell asleep", punctuated=True)
    assert not sounds_unfinished("my dog fell asleep", punctuated=False)
    assert sounds_unfinished("", punctuated=False)
