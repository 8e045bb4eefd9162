"""stt.answer_prompt through the real Whisper engine on hibari speech: a journal answer gets its dropped
"-ed" back through the tense guard, anything else is decoded as without it, and non-speech stays empty."""

import numpy as np
import pytest

from assistant.config import SttSettings
from assistant.speech.transcribe import make_transcriber

PROMPT = "Yesterday evening, we stopped and rested."
# One of the blind sentences; in this voice (hibari seed 200) tiny.en writes "I stop the car and watch ...".
DROPPED_ED = "I stopped the car and watched the sun go down behind the hills."
DROPPED_SEED = 200


@pytest.fixture(scope="module")
def transcriber():
    return make_transcriber(SttSettings(answer_prompt=PROMPT), "whisper")


@pytest.fixture(scope="module")
def dropped_ed(speak):
    return speak(DROPPED_ED, seed=DROPPED_SEED)


def test_a_journal_answer_gets_its_ed_back_and_a_command_is_decoded_plainly(transcriber, dropped_ed):
    assert transcriber.transcribe(dropped_ed, "journal").text == DROPPED_ED
    assert transcriber.transcribe(dropped_ed).text == "I stop the car and watch the sun go down behind the hills."


@pytest.mark.parametrize("level_dbfs", [-70.0, -50.0])
def test_room_hiss_as_a_journal_answer_writes_no_words(transcriber, level_dbfs):
    hiss = np.random.default_rng(1).standard_normal(10 * 16000) * 10 ** (level_dbfs / 20) * 32768
    assert transcriber.transcribe(hiss.astype(np.int16), "journal").text == ""
