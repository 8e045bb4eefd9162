"""Smart end of turn on real synthesized answers: whole answers are complete, answers cut mid-sentence are not."""

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE
from assistant.config import SttSettings
from assistant.speech.end_of_turn import (
    MODEL,
    N_FFT,
    N_MELS,
    WINDOW_SAMPLES,
    EndOfTurn,
    last_window,
    load_end_of_turn,
    log_mel,
    mel_filters,
)
from assistant.speech.transcribe import make_transcriber
from scripts.bench_turn import ANSWERS, SILENCE_S, cases, silence


@pytest.fixture(scope="module")
def model():
    return EndOfTurn()


@pytest.fixture(scope="module")
def answers():
    """The bench's cases for its ten answers in the hibari voice, each followed by SILENCE_S of silence."""
    transcriber = make_transcriber(SttSettings())
    return [cases(transcriber, "hibari", "heart", 1.0, 0, text, pause_after) for text, pause_after in ANSWERS]


def test_whole_answers_are_judged_complete(model, answers):
    probabilities = [model.probability(case["finished"], SILENCE_S) for case in answers]
    assert all(p > 0.5 for p in probabilities), probabilities               # measured 10 of 10


def test_answers_with_a_pause_inside_are_mostly_complete_at_their_end(model, answers):
    probabilities = [model.probability(case["finished_after_pause"], SILENCE_S) for case in answers]
    assert sum(p > 0.5 for p in probabilities) >= 8, probabilities          # measured 9 of 10


def test_answers_cut_after_half_their_words_are_mostly_judged_incomplete(model, answers):
    cuts = [case["cut_at_half"] for case in answers if "cut_at_half" in case]
    probabilities = [model.probability(cut, SILENCE_S) for cut in cuts]
    incomplete = sum(p < 0.5 for p in probabilities)
    assert len(cuts) >= 5 and incomplete > len(cuts) / 2, probabilities     # measured 4 of 6


def test_only_the_first_fifth_of_a_second_of_silence_is_read(model, answers):
    whole = answers[0]["finished"]
    longer = np.concatenate([whole, silence(1.0)])
    assert model.probability(longer, SILENCE_S + 1.0) == model.probability(whole, SILENCE_S)


def test_the_window_is_the_last_8_seconds_with_zeros_in_front():
    short = np.full(SAMPLE_RATE, 1000, np.int16)
    window = last_window(short)
    assert len(window) == WINDOW_SAMPLES and not window[:-SAMPLE_RATE].any()
    assert window[-1] == pytest.approx(1000 / 32768)
    long = np.arange(10 * SAMPLE_RATE, dtype=np.float32) / (10 * SAMPLE_RATE)
    assert np.array_equal(last_window(long), long[-WINDOW_SAMPLES:])


def test_a_tone_lights_the_mel_band_around_its_frequency():
    t = np.arange(WINDOW_SAMPLES) / SAMPLE_RATE
    features = log_mel((0.3 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32))
    assert features.shape == (N_MELS, 800)
    centres = np.argmax(mel_filters(), axis=1) * SAMPLE_RATE / N_FFT
    loudest = int(np.argmax(features[:, 400]))
    assert abs(centres[loudest] - 1000) < 60


def test_mel_filters_have_unit_area_and_rising_centres():
    filters = mel_filters()
    areas = filters.sum(axis=1) * SAMPLE_RATE / N_FFT       # a sum over 40 Hz bins: within 8% of the integral
    assert np.allclose(areas, 1.0, atol=0.08)
    assert np.all(np.diff(np.argmax(filters, axis=1)) >= 0)


def test_loading_says_what_it_found(tmp_path):
    found, line = load_end_of_turn()
    assert isinstance(found, EndOfTurn) and MODEL.name in line
    missing, line = load_end_of_turn(tmp_path / "nothing.onnx")
    assert missing is None and "answer_silence_s" in line


def test_int16_and_float_input_agree(model, answers):
    whole = answers[1]["finished"]
    assert model.probability(whole, SILENCE_S) == pytest.approx(
        model.probability(whole.astype(np.float32) / 32768, SILENCE_S), abs=1e-6)
