"""The wake phrase's second hearing (Whisper tiny.en) on real synthesized speech through the real detector."""

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE, frames_of
from assistant.config import WakeSettings
from assistant.speech import wake, wake_confirm
from assistant.speech.wake import WakeDetector
from tests.support.audio import trimmed

SEED = 50300          # held-out hibari seeds (training never uses 50000-59999)


def _gap(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


def _wakes(detector: WakeDetector, audio: np.ndarray) -> list[wake.Detection]:
    detector.reset()
    return [d for d in map(detector.feed, frames_of(audio)) if d is not None]


def _said(speak, text: str, k: int) -> np.ndarray:
    return np.concatenate([_gap(0.8), trimmed(speak(text, seed=SEED + k, speed=1.0)), _gap(1.2)])


def _heard(speak, text: str, k: int) -> np.ndarray:
    """What the detector hands the second hearing when `text` (a held-out seed) has just been said."""
    audio = np.concatenate([_gap(0.8), trimmed(speak(text, seed=SEED + k, speed=1.0)), _gap(wake.CONFIRM_AFTER_S)])
    return audio[-int(wake.CONFIRM_SPAN_S * SAMPLE_RATE):]


def test_the_shipped_model_has_margins_and_the_phrase_passes_them(speak):
    detector = WakeDetector(WakeSettings())
    assert detector.confirm_margins is not None
    hits = _wakes(detector, _said(speak, "Hey Glimmer!", 0))
    assert len(hits) == 1 and hits[0].margins is not None
    assert wake_confirm.confirmed(hits[0].margins, detector.confirm_margins)


def test_a_near_miss_the_embeddings_take_for_the_phrase_is_refused(speak):
    """"Her glimmer." (a held-out seed) passes the verifiers; Whisper hears "her", not "hey"."""
    audio = _said(speak, "Her glimmer.", 23)
    assert _wakes(WakeDetector(replace(WakeSettings(), confirm=False)), audio)
    assert _wakes(WakeDetector(WakeSettings()), audio) == []


def test_the_ending_is_heard_through_the_whole_word(speak):
    """"Hey, glimpse." starts with the phrase's first token (" gl") and ends elsewhere: its ending margin is far
    below that of "Hey Glimmer!", which reads as the likeliest words all through; so does "Hey, grammar.", which
    does not wake the detector."""
    confirmer = wake_confirm.load_confirmer(wake.embedded_whisper())
    detector = WakeDetector(WakeSettings())
    needed = detector.confirm_margins
    assert confirmer is not None and needed is not None
    heard = [_heard(speak, text, 1) for text in ("Hey Glimmer!", "Hey, glimpse.", "Hey, grammar.")]
    phrase, glimpse, grammar = (confirmer.margins(a, detector.model.likeness) for a in heard)
    assert wake_confirm.confirmed(phrase, needed) and phrase[1] > -1.0
    assert glimpse[0] >= needed[0] and glimpse[1] < phrase[1] - 3.0      # "hey" heard; the word is not glimmer
    assert grammar[0] >= needed[0] and grammar[1] < phrase[1] - 3.0
    assert _wakes(detector, _said(speak, "Hey, grammar.", 1)) == []


def test_the_likeness_head_hears_the_phrase_and_not_other_words(speak):
    """The shipped model's likeness head reads Whisper's encoding of what the detector hands over: held-out
    seeds' "Hey Glimmer!" far above its threshold, a near miss far below the phrase, a read sentence below the
    threshold (so the second hearing refuses it whatever the decoder reads)."""
    confirmer = wake_confirm.load_confirmer(wake.embedded_whisper())
    detector = WakeDetector(WakeSettings())
    assert confirmer is not None and detector.model.likeness is not None and detector.confirm_margins is not None
    alike = {text: confirmer.margins(_heard(speak, text, 2), detector.model.likeness)[2]
             for text in ("Hey Glimmer!", "Hey, dimmer.", "I noticed the light on the kitchen table.")}
    needed = detector.confirm_margins[2]
    assert alike["Hey Glimmer!"] > needed + 10.0
    assert alike["Hey, dimmer."] < alike["Hey Glimmer!"] - 10.0
    assert alike["I noticed the light on the kitchen table."] < needed


def test_a_model_without_a_likeness_head_passes_any_likeness():
    """Models trained before the head (such as the test's leave-one-family-out model) keep their margins."""
    model = wake.load_wake_model(Path(__file__).parent / "data" / "wake-without-kokoro.npz")
    assert model.likeness is None and model.confirm_margins is not None
    assert model.confirm_margins[2] == -np.inf
    assert wake_confirm.confirmed((*model.confirm_margins[:2], 0.0), model.confirm_margins)


def test_without_whisper_the_detector_decides_alone_and_says_so_once(speak, monkeypatch, caplog):
    monkeypatch.setattr(wake, "embedded_whisper", lambda: None)
    wake_confirm.load_confirmer.cache_clear()
    detector = WakeDetector(WakeSettings())
    audio = _said(speak, "Hey Glimmer!", 0)
    with caplog.at_level(logging.WARNING):
        hits = _wakes(detector, audio) + _wakes(detector, audio)
    wake_confirm.load_confirmer.cache_clear()
    assert len(hits) == 2 and all(h.margins is None for h in hits)
    assert sum("not heard a second time" in r.message for r in caplog.records) == 1


def test_confirm_false_in_the_config_turns_it_off(speak):
    detector = WakeDetector(replace(WakeSettings(), confirm=False))
    assert detector.confirmer() is None
    hits = _wakes(detector, _said(speak, "Hey Glimmer!", 0))
    assert len(hits) == 1 and hits[0].margins is None


def test_the_second_hearing_comes_a_fifth_of_a_second_after_the_first(speak):
    audio = _said(speak, "Hey Glimmer!", 0)
    first = _wakes(WakeDetector(replace(WakeSettings(), confirm=False)), audio)
    second = _wakes(WakeDetector(WakeSettings()), audio)
    assert len(first) == len(second) == 1
    assert second[0].t - first[0].t == pytest.approx(wake.CONFIRM_AFTER_S, abs=0.031)


def test_doctor_says_whether_the_second_hearing_is_on(glimmer, tmp_path):
    run = glimmer("doctor")
    assert "wake second hearing: on" in run.stdout
    config = tmp_path / "c.yaml"
    config.write_text("wake:\n  confirm: false\n")
    assert "wake second hearing: off (wake.confirm is false)" in glimmer("--config", str(config), "doctor").stdout
