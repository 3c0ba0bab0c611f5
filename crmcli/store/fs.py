"""File IO confined to the data directory: atomic replacement and path checks.

Every write goes to a temporary file in the target's own folder, is flushed and
fsynced, then `os.replace`d over the target, and the folder is fsynced, so a crash
leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from crmcli.errors import DataDirError, InvalidValue

TEMP_PREFIX = ".crm-tmp-"


def confined(root: Path, relative: str) -> Path:
    """`root/relative`, refusing absolute paths, `..` and links that lead outside `root`."""
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative:
        raise InvalidValue(f"invalid record path {relative!r}")
    parts = relative.replace("\\", "/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidValue(f"invalid record path {relative!r}")
    path = root.joinpath(*parts)
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (RuntimeError, OSError):  # a link loop (RuntimeError before Python 3.13)
        raise InvalidValue(f"{relative}: a link that leads nowhere (a loop)")
    if not inside:
        raise InvalidValue(f"{relative}: leads outside the data directory")
    return path


def os_error(error: OSError, path: Path | str) -> DataDirError:
    """One line for an OS failure on the data directory (exit 3)."""
    reason = {
        errno.ENOSPC: "disk full",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOENT: "no such file or directory",
    }.get(error.errno, error.strerror or str(error))
    return DataDirError(f"{path}: cannot write: {reason}")


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_beside(path: Path) -> Path:
    """A fresh name for the temporary file that will replace `path` (hidden from the index)."""
    return path.with_name(f"{TEMP_PREFIX}{secrets.token_hex(6)}.yaml")


def write_temp(path: Path, data: bytes, temp: Path | None = None) -> Path:
    """Write `data` to a synced temporary file beside `path` (named `temp` when given); the
    caller replaces `path` with it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if temp is None:
            fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".yaml", dir=path.parent)
        else:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise os_error(error, path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise os_error(error, path)
    return Path(temp)


class Placed:
    """A file a commit is putting in place: its target and the old version kept beside it
    (None for a new file) until the whole commit is through, so that it can be undone."""

    def __init__(self, path: Path, old: Path | None):
        self.path, self.old, self.replaced = path, old, False

    def undo(self) -> None:
        if self.replaced:
            if self.old is not None:
                os.replace(self.old, self.path)
            else:
                self.path.unlink(missing_ok=True)
        elif self.old is not None:
            self.old.unlink(missing_ok=True)


def old_beside(path: Path) -> Path:
    return path.with_name(f"{TEMP_PREFIX}old-{path.name}")


def keep_old(path: Path) -> Path | None:
    """The current version of `path` kept under another name (a hard link, else a copy)
    while a commit replaces it; None when there is none."""
    if not path.exists():
        return None
    old = old_beside(path)
    try:
        old.unlink(missing_ok=True)
        try:
            os.link(path, old)
        except OSError:
            shutil.copy2(path, old)
    except OSError as error:
        raise os_error(error, path)
    return old


def commit_temp(temp: Path, path: Path, placed: "Placed | None" = None) -> None:
    """Move a temporary file written by `write_temp` over its target, durably; `placed`
    notes once the target is replaced."""
    try:
        os.replace(temp, path)
        if placed is not None:
            placed.replaced = True
        sync_folder(path.parent)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise os_error(error, path)


def remove(path: Path) -> None:
    try:
        path.unlink()
        sync_folder(path.parent)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise os_error(error, path)


def set_aside(paths: list[Path]) -> list[tuple[Path, Path]]:
    """Rename files to temporary names (the first step of removing them); if any rename
    fails, the ones already done are put back and the error is raised."""
    moved: list[tuple[Path, Path]] = []
    try:
        for path in paths:
            if path.exists():
                aside = path.with_name(f"{TEMP_PREFIX}rm-{path.name}")
                os.replace(path, aside)
                moved.append((path, aside))
    except OSError as error:
        failed = path
        restore(moved)
        raise os_error(error, failed)
    return moved


def restore(moved: list[tuple[Path, Path]]) -> None:
    """Undo `set_aside`: put each (original, aside) file back."""
    for path, aside in reversed(moved):
        os.replace(aside, path)


def discard(moved: list[tuple[Path, Path]]) -> None:
    """The second step of removing: delete what `set_aside` renamed, durably."""
    for _, aside in moved:
        remove(aside)


def atomic_write(path: Path, data: bytes) -> None:
    commit_temp(write_temp(path, data), path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks (attachments can be large)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
