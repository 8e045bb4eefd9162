"""Downloading a speech model: the one place in Glimmer that touches the network, run only by
`glimmer models download NAME`. An official URL, a progress callback, a SHA-256 check, then an atomic unpack
into the models folder.
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
from pathlib import Path

from assistant.errors import GlimmerError
from assistant.speech.models import SUMS, Downloadable, Remote, model_kind, models_dir

CHUNK = 1 << 16


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
