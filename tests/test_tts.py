"""Speech out with the real engines: intelligible, calm, exact pauses, night mode, clear failures."""

import time
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE, to_float
from assistant.audio.sinks import WavSink
from assistant.audio.wav import read_wav
from assistant.config import NightSettings, TtsSettings
from assistant.errors import GlimmerError
from assistant.speech.night import NightMode
from assistant.speech.pacing import Tempo, lengthen_breaks, sounding_span, trim, words_per_minute
from assistant.speech.textprep import Pause, prepare
from assistant.speech.tts import Narrator, make_voice
from tests.support.speech_out import GLIMMER_SENTENCES, PRACTICE_PROMPT, intelligibility

DAY = NightSettings(enabled=False)


@pytest.fixture(scope="module")
def hibari():
    return make_voice(replace(TtsSettings(), engine="hibari"))


@pytest.fixture(scope="module")
def espeak():
    return make_voice(replace(TtsSettings(), engine="pyttsx3"))


def said(voice, text: str, tmp_path, settings: TtsSettings = TtsSettings(), night=DAY, clock=datetime.now,
         tempo: Tempo = Tempo()):
    """What the Narrator writes into a WAV sink for `text`, read back from the file."""
    path = tmp_path / "out.wav"
    sink = WavSink(path)
    Narrator(voice, sink, settings, night, clock).say(text, tempo)
    sink.wait_done()
    sink.close()
    return read_wav(path)


def silent_runs(samples: np.ndarray, min_s: float = 0.3) -> list[float]:
    """Lengths in seconds of the stretches of (near) digital silence of at least `min_s`."""
    quiet = np.abs(samples.astype(np.int32)) <= 33           # -60 dBFS
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    runs = (edges[1::2] - edges[::2]) / SAMPLE_RATE
    return [float(r) for r in runs if r >= min_s]


def test_default_voice_is_intelligible_to_the_default_transcriber():
    voice = make_voice(TtsSettings())                          # engine auto -> hibari
    assert intelligibility(voice, TtsSettings(), GLIMMER_SENTENCES[:4]) <= 0.03


def test_glimmer_say_speaks_a_practice_prompt_at_a_calm_pace(glimmer, tmp_path):
    out = tmp_path / "prompt.wav"
    done = glimmer("say", PRACTICE_PROMPT, "--output-wav", str(out))
    assert done.returncode == 0, done.stderr
    wpm = words_per_minute(PRACTICE_PROMPT, read_wav(out), SAMPLE_RATE)
    assert 110 <= wpm <= 150, wpm


@pytest.mark.parametrize("engine", ["hibari", "espeak"])
def test_each_engine_writes_plausible_16k_speech(engine, request, tmp_path):
    text = "You might notice one small thing in the room. It can be anything at all."
    audio = said(request.getfixturevalue(engine), text, tmp_path)
    first, last = sounding_span(audio, SAMPLE_RATE)
    assert np.abs(audio).max() > 0.1 * 32768
    assert 80 <= len(text.split()) * 60 / (last - first) <= 200          # plausible length for 14 words
    settings = TtsSettings()
    pause = max(silent_runs(audio))                                      # a real pause between sentences
    assert settings.sentence_pause_s - 0.02 <= pause <= settings.max_sentence_pause_s + 0.02


def test_a_slower_tempo_leaves_more_room_between_sentences_within_the_limits(hibari, tmp_path):
    text = "You might notice one small thing in the room. It can be anything at all. There is no hurry."
    usual, slower = (silent_runs(said(hibari, text, tmp_path, tempo=tempo)) for tempo in (Tempo(), Tempo(1)))
    assert min(usual) == pytest.approx(TtsSettings().sentence_pause_s, abs=0.03)
    assert min(slower) >= min(usual) + 0.15
    assert max(slower) <= TtsSettings().max_sentence_pause_s + 0.02


def test_pause_markers_and_silence_are_exact(hibari, tmp_path):
    audio = said(hibari, "Notice the light. [pause 2.5] And the sound. [pause 3s]", tmp_path)
    runs = silent_runs(audio)
    assert runs[0] == pytest.approx(2.5, abs=0.02)
    assert runs[-1] == pytest.approx(3.0, abs=0.02)                      # a trailing marker is kept
    sink = WavSink(tmp_path / "s.wav")
    Narrator(hibari, sink, TtsSettings(), DAY).silence(1.25)
    assert len(sink.samples) == 20000 and not sink.samples.any()


def test_sentence_pauses_stay_in_the_configured_range(hibari, tmp_path):
    settings = replace(TtsSettings(), sentence_pause_s=0.8, max_sentence_pause_s=1.2)
    audio = said(hibari, PRACTICE_PROMPT, tmp_path, settings)
    gaps = silent_runs(audio, min_s=0.7)                      # phrase breaks stay shorter
    assert len(gaps) == 2 and all(0.78 <= g <= 1.22 for g in gaps), gaps


def test_dense_sentences_get_longer_phrase_breaks(hibari):
    samples, rate = hibari.synthesize("Your feet on the floor, your hands, the fabric under you, the air.")
    sound = trim(to_float(samples), rate)
    longer = lengthen_breaks(sound, rate, 0.6)
    assert len(longer) - len(sound) == pytest.approx(0.6 * rate, abs=0.01 * rate)
    assert np.array_equal(longer[longer != 0], sound[sound != 0])      # the same sound, only more silence
    assert len(lengthen_breaks(sound, rate, 0.0)) == len(sound)


def test_night_mode_is_quieter_and_slower_by_the_clock(hibari, tmp_path):
    night = NightSettings(enabled=True, start="22:00", end="07:00", volume=0.5, speed=0.85)
    text = "Let your eyes rest on something steady in the room."
    day = said(hibari, text, tmp_path, night=night, clock=lambda: datetime(2026, 5, 1, 14, 0))
    late = said(hibari, text, tmp_path, night=night, clock=lambda: datetime(2026, 5, 1, 23, 30))
    assert np.abs(late).max() == pytest.approx(0.5 * np.abs(day).max(), rel=0.15)
    assert len(late) > 1.1 * len(day)
    at = [NightMode(night, lambda h=h: datetime(2026, 5, 1, h, 0)).active() for h in (21, 22, 3, 7, 12)]
    assert at == [False, True, True, False, False]


def test_text_is_prepared_for_speaking():
    parts = prepare("Rate it 0-10, e.g. About 7. It takes 2 min. [pause 5s] Dr. Lee at 7:30 on the 3rd.")
    assert parts == ["Rate it zero to ten, for example About seven.", "It takes two minutes.", Pause(5.0),
                     "Doctor Lee at seven thirty on the third."]
    assert prepare("A gentle 5-4-3-2-1.") == ["A gentle five, four, three, two, one."]


def test_a_broken_pyttsx3_gives_one_clear_line_not_a_hang():
    from assistant.speech.voices.pyttsx3_voice import Pyttsx3Voice

    with pytest.raises(GlimmerError) as err:
        Pyttsx3Voice(voice="gmw/klingon").synthesize("Hello.")
    assert "klingon" in str(err.value) and "\n" not in str(err.value)
    start = time.monotonic()
    with pytest.raises(GlimmerError, match="did not finish"):
        Pyttsx3Voice(timeout_s=0.01).synthesize("Hello.")
    assert time.monotonic() - start < 5


def test_glimmer_say_reports_a_voice_problem_in_one_line(glimmer, tmp_path):
    (tmp_path / "config.yaml").write_text("tts:\n  engine: pyttsx3\n  voice: gmw/klingon\n")
    done = glimmer("--config", str(tmp_path / "config.yaml"), "say", "Hello.", "--output-wav",
                   str(tmp_path / "x.wav"))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("glimmer: ") and "klingon" in done.stderr


@pytest.mark.parametrize("text", ["Hello [pause 100000] there", "Hello. [pause 0.2] Goodbye.",
                                  "Fine [pause 60]. Too long [pause 61s]."])
def test_glimmer_say_refuses_a_pause_outside_one_to_sixty_seconds(glimmer, tmp_path, text):
    done = glimmer("say", text, "--output-wav", str(tmp_path / "s.wav"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("glimmer: '[pause ") and "is outside 1 .. 60 seconds" in done.stderr
    assert not (tmp_path / "s.wav").exists()
    with pytest.raises(GlimmerError, match="outside 1 .. 60"):
        prepare(text)


def test_a_missing_hibari_voice_is_an_error_never_a_download(monkeypatch, tmp_path):
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path / "empty-cache"))
    with pytest.raises(GlimmerError, match="never downloads"):
        make_voice(replace(TtsSettings(), engine="hibari", voice="emma"))
    assert not (tmp_path / "empty-cache").exists()
