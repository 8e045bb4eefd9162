"""Model management without the network: a local file:// "server" stands in for the official URLs."""

import hashlib
import zipfile
from pathlib import Path

import pytest

from assistant.errors import GlimmerError
from assistant.speech import models
from assistant.speech.model_download import download
from assistant.speech.models import Downloadable, Remote


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("GLIMMER_MODELS", str(tmp_path / "models"))
    return tmp_path / "models"


def vosk_zip(tmp_path: Path, members: dict[str, bytes]) -> Remote:
    archive = tmp_path / "vosk-model-test.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    data = archive.read_bytes()
    return Remote(archive.as_uri(), hashlib.sha256(data).hexdigest(), len(data))


MODEL = {"vosk-model-test/am/final.mdl": b"acoustic", "vosk-model-test/conf/model.conf": b"--x=1\n"}


def test_download_verifies_unpacks_and_installs_in_one_move(folder, tmp_path):
    entry = Downloadable("vosk-model-test", "vosk", (vosk_zip(tmp_path, MODEL),), "test")
    seen = []
    installed = download(entry, progress=lambda name, done, total: seen.append((done, total)))
    assert installed == folder / "vosk-model-test" and models.model_kind(installed) == "vosk"
    assert seen[-1][0] == seen[-1][1]
    assert models.recorded_sums(installed) == {"vosk-model-test.zip": entry.files[0].sha256}
    assert models.vosk_model() == installed
    assert [p.name for p in folder.iterdir()] == ["vosk-model-test"]      # no temporary leftovers


def test_a_wrong_checksum_installs_nothing(folder, tmp_path):
    remote = vosk_zip(tmp_path, MODEL)
    entry = Downloadable("vosk-model-test", "vosk", (Remote(remote.url, "0" * 64, remote.size),), "test")
    with pytest.raises(GlimmerError, match="SHA-256"):
        download(entry)
    assert list(folder.iterdir()) == []


def test_an_archive_escaping_the_folder_is_refused(folder, tmp_path):
    entry = Downloadable("vosk-model-test", "vosk", (vosk_zip(tmp_path, {"../evil/am/final.mdl": b"x"}),), "t")
    with pytest.raises(GlimmerError, match="unsafe path"):
        download(entry)
    assert not (folder.parent / "evil").exists()


def test_offline_is_one_clear_line(folder):
    entry = Downloadable("whisper-test", "whisper", (Remote("http://127.0.0.1:9/model.bin", None, 1),), "t")
    with pytest.raises(GlimmerError, match="cannot download model.bin from 127.0.0.1:9 .*offline"):
        download(entry)


def test_catalog_names_and_pinned_vosk_checksum():
    vosk = models.find_downloadable("vosk-small-en")
    assert vosk.name == "vosk-model-small-en-us-0.15" and vosk.files[0].url.startswith("https://alphacephei.com/")
    assert vosk.files[0].sha256 == "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
    assert models.find_downloadable("base.en").kind == "whisper"
    with pytest.raises(GlimmerError, match="no model called"):
        models.find_downloadable("large-v3")


def test_cli_models_list(glimmer, tmp_path):
    result = glimmer("models", "list")
    assert result.returncode == 0, result.stderr
    assert "whisper-tiny.en" in result.stdout and "vosk-model-small-en-us-0.15" in result.stdout
    assert "stt.engine auto uses: whisper" in result.stdout
