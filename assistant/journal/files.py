"""The journal's files on disk: a folder only its owner can write, files opened without following links,
exports written as fresh private files, and a side file for words that could not be saved."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from assistant.errors import GlimmerError


def private_folder(folder: Path, *, create: bool) -> None:
    """Check that `folder` is this user's and no one else can write in it; create it (0700) when asked and missing.

    Raises GlimmerError (one line) otherwise: someone who can write in the folder could swap the journal's files.
    """
    if create:
        make_private_dirs(folder)
    info = os.stat(folder)
    if info.st_uid != os.geteuid():
        raise GlimmerError(f"the journal's folder {folder} belongs to someone else; "
                           "keep the journal in a folder of your own (--journal PATH)")
    if info.st_mode & 0o022:
        raise GlimmerError(f"the journal's folder {folder} can be written by others "
                           f"(mode {stat.S_IMODE(info.st_mode):o}); run 'chmod 700 {folder}' or choose "
                           "another folder (--journal PATH)")


def open_own_file(path: Path, *, create: bool) -> int:
    """A read-write descriptor of the regular file at `path`, owned by this user and now 0600; never via a link."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_CREAT if create else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _a_link(path) from None
        raise
    if not _own_regular(os.fstat(fd)):
        os.close(fd)
        raise _not_yours(path)
    os.fchmod(fd, 0o600)
    return fd


def check_own_file(path: Path) -> None:
    """Only look (`glimmer doctor` changes nothing): the GlimmerError open_own_file would raise for `path`, if any."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise _a_link(path)
    if not _own_regular(info):
        raise _not_yours(path)


def _own_regular(info: os.stat_result) -> bool:
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid()


def _a_link(path: Path) -> GlimmerError:
    return GlimmerError(f"{path} is a symbolic link; Glimmer does not follow links for your journal — "
                        "remove it or pass the real path with --journal")


def _not_yours(path: Path) -> GlimmerError:
    return GlimmerError(f"{path} is not a file of yours; move it away, then try again")


def write_private(path: Path, text: str) -> bool:
    """Write `text` to a new 0600 file put in place at `path` in one step; True when it replaced a file there.

    The words never go into a file someone else made or through a link: an existing `path` is replaced, not opened.
    """
    replaced = os.path.lexists(path)
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:   # as given: csv rows end in CRLF
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as err:
        raise GlimmerError(f"{path}: cannot write ({err.strerror})") from None
    return replaced


def keep_unsaved(path: Path, texts: Iterable[str]) -> Path:
    """Append `texts` to the private side file at `path`, one per line (`journal add -` reads it back)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        if not _own_regular(os.fstat(fd)):
            raise OSError(errno.EPERM, "not a file of yours", str(path))
        os.fchmod(fd, 0o600)
        handle.write("".join(" ".join(text.split()) + "\n" for text in texts))
        handle.flush()
        os.fsync(fd)
    return path


RESERVE_BYTES = 64 * 1024


def hold_reserve(path: Path) -> None:
    """Hold RESERVE_BYTES of disk at `path` (best effort), to be given up for `keep_unsaved` when the disk fills:
    by then SQLite's failed write has taken whatever room was left."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError:
        return
    try:
        if os.fstat(fd).st_size < RESERVE_BYTES:
            os.posix_fallocate(fd, 0, RESERVE_BYTES)
    except OSError:
        pass   # no room even for this: the journal works without it
    finally:
        os.close(fd)


def make_private_dirs(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700 (existing folders are left as they are)."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
