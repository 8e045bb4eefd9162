"""Transcribers on real audio: Whisper (embedded tiny.en) and pocketsphinx, the factory, and the CLI."""

import json
import os

import numpy as np
import pytest

from assistant.audio.frames import silence
from assistant.audio.wav import read_wav, write_wav
from assistant.config import SttSettings
from assistant.errors import GlimmerError
from assistant.speech.transcribe import choose, make_transcriber
from scripts.corpus import librivox_clips, mix_at_snr
from tests.support.scoring import normalize, scored, wer

SPOKEN = ("I noticed the warm light on the kitchen table this morning.",
          "My dog fell asleep with his head on my foot while I was reading.")


@pytest.fixture(scope="module")
def whisper():
    """The embedded default, loaded once for the module."""
    return make_transcriber(SttSettings(), "whisper")


@pytest.fixture(scope="module")
def real():
    clips = librivox_clips()
    if not clips:
        pytest.skip("pocketsphinx-testdata (LibriVox clips) is not installed")
    return [(read_wav(path), text) for path, text in clips]


def test_auto_picks_the_embedded_whisper():
    choice = choose(SttSettings())
    assert choice.engine == "whisper" and (choice.model / "model.bin").is_file()


def test_whisper_on_real_human_speech(whisper, real):
    assert wer([(text, whisper.transcribe(audio).text) for audio, text in real]) <= 0.05


def test_whisper_on_natural_voice_clean_and_in_noise(whisper, speak):
    clean = [speak(text, seed=i, speed=1.1) for i, text in enumerate(SPOKEN)]
    noisy = [mix_at_snr(audio, "pink", 12, seed=i) for i, audio in enumerate(clean)]
    assert wer([(t, whisper.transcribe(a).text) for t, a in zip(SPOKEN, clean, strict=True)]) <= 0.05
    assert wer([(t, whisper.transcribe(a).text) for t, a in zip(SPOKEN, noisy, strict=True)]) <= 0.1


def test_words_carry_times_and_confidences(whisper, real):
    audio, text = real[1]
    transcript = whisper.transcribe(audio)
    assert [w.text for w in transcript.words][:3] == ["He", "was", "not"]
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts) and transcript.words[-1].end <= len(audio) / 16000 + 0.1
    assert all(0.0 <= w.confidence <= 1.0 for w in transcript.words) and 0.5 < transcript.confidence <= 1.0


def test_a_real_repetition_is_kept(whisper, speak):
    """A repeated phrase looks like the short window's failure mode: it is re-checked, not cut."""
    text = whisper.transcribe(speak("I don't know, I don't know.", seed=1)).text
    assert normalize(text) == ["i", "don't", "know", "i", "don't", "know"]


def test_silence_and_steady_noise_give_no_text(whisper):
    hiss = (np.random.default_rng(0).standard_normal(48000) * 200).astype(np.int16)
    assert whisper.transcribe(silence(3.0)).text == ""
    assert whisper.transcribe(hiss).text == ""


def test_an_utterance_longer_than_whispers_window(whisper, real):
    audio = np.concatenate([a for a, _ in real] + [silence(1.0)] * 2)   # ~27 s of speech + 2 s
    audio = np.concatenate([audio, real[1][0]])                          # over 30 s in all
    text = " ".join(t for _, t in real) + " " + real[1][1]
    assert wer([(text, whisper.transcribe(audio).text)]) <= 0.1


def test_pocketsphinx_fallback_transcribes_real_speech(real):
    transcriber = make_transcriber(SttSettings(), "pocketsphinx")
    audio, text = real[1]
    transcript = transcriber.transcribe(audio)
    assert wer([(text, transcript.text)]) <= 0.5
    assert transcript.words and not any(w.text.startswith(("<", "[")) for w in transcript.words)


def test_engines_load_once_and_are_shared(whisper):
    again = make_transcriber(SttSettings(), "whisper")
    assert again.engine is whisper.engine


def test_missing_models_are_clear_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("GLIMMER_MODELS", str(tmp_path))
    with pytest.raises(GlimmerError, match="no vosk model"):
        make_transcriber(SttSettings(), "vosk")
    with pytest.raises(GlimmerError, match="no such folder"):
        make_transcriber(SttSettings(model_path=str(tmp_path / "nowhere")))


def test_normalization_for_scoring():
    assert normalize("Mr. Dashwood's favourite 3 cold-hearted") == ["mister", "dashwood's", "favorite",
                                                                    "three", "cold", "hearted"]
    assert scored("Um, a coworker was here tonight", "A co-worker was here to-night.") == (
        ["a", "coworker", "was", "here", "tonight"],) * 2
    assert wer([("an ill disposed man", "An ill-disposed man.")]) == 0.0
    assert wer([("an ill disposed man", "An old-sposed man.")]) == 0.5


def test_cli_json_lines_and_plain_text(glimmer, real, tmp_path):
    paths = [str(write_wav(tmp_path / f"{i}.wav", audio)) for i, (audio, _) in enumerate(real[3:5])]
    result = glimmer("transcribe", "--json", *paths)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths
    assert wer([(real[4][1], lines[1]["text"])]) <= 0.2
    assert set(lines[1]["words"][0]) == {"text", "start", "end", "confidence"}
    plain = glimmer("transcribe", "--engine", "pocketsphinx", paths[1])
    assert plain.returncode == 0 and plain.stdout.strip().startswith("he might")


def test_cli_json_gives_each_utterance_its_times(glimmer, speak, tmp_path):
    first, second = speak(SPOKEN[0], seed=4), speak(SPOKEN[1], seed=9)
    audio = np.concatenate([silence(1.0), first, silence(3.0), second, silence(1.0)])
    result = glimmer("transcribe", "--json", str(write_wav(tmp_path / "two.wav", audio)))
    assert result.returncode == 0, result.stderr
    segments = json.loads(result.stdout)["segments"]
    assert [set(s) for s in segments] == [{"start", "end", "text"}] * 2
    second_at = 1.0 + len(first) / 16000 + 3.0
    for segment, said, begins, length in zip(segments, SPOKEN, (1.0, second_at), (first, second), strict=True):
        assert wer([(said, segment["text"])]) <= 0.2
        assert abs(segment["start"] - begins) < 0.6 and segment["end"] <= begins + len(length) / 16000 + 0.3
    assert segments[0]["end"] < segments[1]["start"]


def test_cli_names_a_missing_or_non_audio_file(glimmer, tmp_path):
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    for bad in (str(tmp_path / "missing.wav"), str(text)):
        result = glimmer("transcribe", bad)
        assert result.returncode != 0
        assert result.stderr.count("\n") == 1 and bad in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def recordings(tmp_path_factory, speak):
    """The same three sentences (at 20, 50 and 80 s) in quiet room hiss, in a 2-minute and a 10-minute file."""
    from tests.support.memory import SENTENCES, long_recording

    folder = tmp_path_factory.mktemp("recordings")
    voices = [speak(text, seed=i) for i, text in enumerate(SENTENCES)]
    files = {seconds: folder / f"{seconds}.wav" for seconds in (120, 600)}
    starts = [long_recording(path, seconds, voices, every_s=30.0) for seconds, path in files.items()][0]
    return files, starts, " ".join(SENTENCES)


def test_cli_transcribes_long_recordings_utterance_by_utterance_in_constant_memory(recordings, tmp_path):
    from tests.support.memory import TARGET_MB, measured

    files, starts, said = recordings
    runs = {s: measured("transcribe", "--json", str(path), env=dict(os.environ, HOME=str(tmp_path)))
            for s, path in files.items()}
    for result in runs.values():
        assert result["code"] == 0, result["stderr"]
        line = json.loads(result["stdout"])
        assert wer([(said, line["text"])]) <= 0.05
        times = [w["start"] for w in line["words"]]
        assert all(any(abs(t - start) < 0.5 for t in times) for start in starts)   # times in the file
        assert max(w["end"] for w in line["words"]) < starts[-1] + 6   # the hiss after them gives nothing
        assert result["rss_mb"] <= TARGET_MB
    assert runs[600]["rss_mb"] - runs[120]["rss_mb"] < 15    # five times longer, no more memory


def test_cli_gives_no_text_for_silence_or_steady_noise(glimmer, tmp_path):
    """Whisper alone wrote "You You You…" for minutes of near silence."""
    from assistant.audio.rooms import noise

    rng = np.random.default_rng(0)
    quiet = write_wav(tmp_path / "quiet.wav", rng.integers(-1, 2, 180 * 16000).astype(np.int16))  # dither
    room = np.concatenate([noise("pink", 960000, 1) * 0.03, noise("brown", 480000, 2) * 0.05,
                           noise("white", 480000, 3) * 0.01])
    noisy = write_wav(tmp_path / "noisy.wav", (room * 32768).astype(np.int16))
    result = glimmer("transcribe", "--json", str(quiet), str(noisy))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == ["", ""]
