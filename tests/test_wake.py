"""The wake phrase through the real path: synthesized held-out voices, frames of 480 samples, real models."""

import json
from dataclasses import replace

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE, frames_of
from assistant.audio.wav import write_wav
from assistant.config import WakeSettings
from assistant.errors import GlimmerError
from assistant.speech.wake import WakeDetector

SEED = 50007          # held-out hibari seeds (training never uses 50000-59999)


def _gap(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


def _trim(x: np.ndarray) -> np.ndarray:
    idx = np.flatnonzero(np.abs(x.astype(np.int32)) > 0.01 * np.abs(x.astype(np.int32)).max())
    return x[idx[0]: idx[-1] + 1]


def _scan(audio: np.ndarray, settings: WakeSettings = WakeSettings(), chunk: int | None = None):
    det = WakeDetector(settings)
    pieces = frames_of(audio) if chunk is None else (audio[i:i + chunk] for i in range(0, len(audio), chunk))
    return [d for d in map(det.feed, pieces) if d is not None]


@pytest.fixture(scope="module")
def phrase(speak):
    """A held-out natural "hey glimmer" between silences, and the time the phrase ends."""
    core = _trim(speak("Hey Glimmer!", seed=SEED, speed=1.05))
    return np.concatenate([_gap(1.0), core, _gap(1.5)]), 1.0 + len(core) / SAMPLE_RATE


@pytest.fixture(scope="module")
def confusables(speak):
    texts = ("I had a glimmer today, when the sun came in.", "Hey Jimmy, come here.", "The lake will shimmer.",
             "So much glamour.", "They glimmer in the dark.", "A glimmer of hope.")
    return np.concatenate([np.concatenate([speak(t, seed=SEED + 1 + k, speed=1.0), _gap(0.6)])
                           for k, t in enumerate(texts)])


def test_fires_once_right_after_the_phrase(phrase):
    audio, end = phrase
    hits = _scan(audio)
    assert len(hits) == 1
    assert end - 0.1 <= hits[0].t <= end + 0.6 and 0 < hits[0].score <= 1


def test_fires_on_the_phrase_inside_running_speech(speak):
    before = speak("I could not sleep at all tonight.", seed=SEED + 20, speed=0.95)
    core = _trim(speak("hey glimmer,", seed=SEED + 21, speed=0.95))
    after = speak("can we do the breathing exercise?", seed=SEED + 21, speed=0.95)
    audio = np.concatenate([_gap(0.5), before, _gap(0.2), core, _gap(0.2), after, _gap(1.0)])
    end = (0.7 * SAMPLE_RATE + len(before) + len(core)) / SAMPLE_RATE
    hits = _scan(audio)
    assert len(hits) == 1 and end - 0.1 <= hits[0].t <= end + 0.6


def test_fires_on_most_robotic_voices():
    """espeak-ng voices stand in for accents; the bench target is recall >= 0.8 on them."""
    from scripts.corpus import Synthesizer

    voices = ("en-gb-x-gbclan+m6", "en-us+paul", "en-us+klatt2", "en-us+f3", "en-us+john", "en-gb-x-rp+f4")
    fired = 0
    for voice in voices:
        core = _trim(Synthesizer.espeak("hey glimmer", voice=voice, words_per_minute=160))
        hits = _scan(np.concatenate([_gap(1.0), core, _gap(1.5)]))
        end = 1.0 + len(core) / SAMPLE_RATE
        fired += len(hits) == 1 and end - 0.2 <= hits[0].t <= end + 0.6
    assert fired >= 5


def test_silent_on_confusables(confusables):
    assert _scan(confusables) == []


def test_silent_on_the_assistants_own_prompts(speak):
    prompts = ("Let's notice a glimmer together.", "Tell me about one glimmer from your day.",
               "Hey, that's a lovely glimmer.", "I saved that glimmer in your journal.")
    audio = np.concatenate([np.concatenate([speak(t, seed=0), _gap(0.4)]) for t in prompts])
    assert _scan(audio) == []


def test_result_does_not_depend_on_chunk_size(phrase, confusables):
    audio = np.concatenate([confusables, phrase[0]])
    reference = _scan(audio)
    assert len(reference) == 1
    for chunk in (160, 1000, 4096, 16000):
        assert _scan(audio, chunk=chunk) == reference


def test_refractory_period(phrase):
    twice = np.concatenate([phrase[0], phrase[0]])      # two phrases about 3 s apart
    assert len(_scan(twice, replace(WakeSettings(), refractory_s=0.5))) == 2
    assert len(_scan(twice, replace(WakeSettings(), refractory_s=5.0))) == 1


def test_muted_while_speaking_and_for_the_tail(phrase):
    audio, end = phrase
    det = WakeDetector(WakeSettings())
    det.mute(True)
    assert [d for d in map(det.feed, frames_of(audio)) if d] == []
    det.mute(False)                                      # the phrase right after unmuting falls in the tail
    assert [d for d in map(det.feed, frames_of(audio[: int(0.3 * SAMPLE_RATE)])) if d] == []
    assert len([d for d in map(det.feed, frames_of(audio)) if d]) == 1


def test_tail_holds_what_followed_the_phrase(phrase):
    audio, end = phrase
    det = WakeDetector(WakeSettings())
    for frame in frames_of(audio):
        if det.feed(frame):
            break
    assert 0 < len(det.tail) <= 0.7 * SAMPLE_RATE


def test_a_phrase_the_model_was_not_trained_for_is_refused():
    with pytest.raises(GlimmerError, match="trained for 'hey glimmer'"):
        WakeDetector(replace(WakeSettings(), phrase="ok computer"))
    WakeDetector(replace(WakeSettings(), phrase="Hey, Glimmer!"))        # same words: fine


def test_glimmer_listen_prints_one_json_line_per_detection(glimmer, tmp_path, phrase, confusables):
    audio, end = phrase
    write_wav(tmp_path / "wake.wav", audio)
    write_wav(tmp_path / "talk.wav", confusables)
    result = glimmer("listen", "wake.wav", "talk.wav")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["event"], e["file"]) for e in events] == [("wake", "wake.wav")]
    assert end - 0.1 <= events[0]["t"] <= end + 0.6
