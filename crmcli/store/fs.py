"""File IO confined to the data directory: atomic replacement and path checks.

Every write goes to a temporary file in the target's own folder, is flushed and
fsynced, then `os.replace`d over the target, and the folder is fsynced, so a crash
leaves either the old file or the new one, never a mix.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from crmcli.errors import DataDirError, InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.kinds import BY_FOLDER

TEMP_PREFIX = ".crm-tmp-"


def confined(root: Path, relative: str) -> Path:
    """`root/relative`, refusing absolute paths, `..` and links that lead outside `root`."""
    if not relative or relative.startswith(("/", "\\")) or "\x00" in relative:
        raise InvalidValue(_("invalid record path {path!r}").format(path=relative))
    parts = relative.replace("\\", "/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise InvalidValue(_("invalid record path {path!r}").format(path=relative))
    path = root.joinpath(*parts)
    try:
        inside = path.resolve().is_relative_to(root.resolve())
    except (RuntimeError, OSError):  # a link loop (RuntimeError before Python 3.13)
        raise InvalidValue(_("{path}: a link that leads nowhere (a loop)").format(path=relative)) from None
    if not inside:
        raise InvalidValue(_("{path}: leads outside the data directory").format(path=relative))
    return path


WRITTEN_BESIDE_RECORDS = ("attachments", ".gitattributes")
"""What crm writes besides the record folders: attachments, and the merge driver's attributes."""


def data_place(root: Path, relative: str) -> Path:
    """`confined`, and one of the places crm ever writes: a record kind's folder (records and
    their documents), `attachments/` or `.gitattributes`. Never `.git/`, `crm.yaml` or a file
    beside them, whatever a journal or a caller says."""
    path = confined(root, relative)
    top = relative.replace("\\", "/").split("/", 1)[0]
    if top not in BY_FOLDER and top not in WRITTEN_BESIDE_RECORDS:
        raise InvalidValue(_("{path}: not a place crm writes to").format(path=relative))
    return path


def digest(data: bytes) -> str:
    """What a file held, for telling a file that was only touched (a copy, a checkout of the
    same content) from one that changed, without parsing it again."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def os_error(error: OSError, path: Path | str) -> DataDirError:
    """One line for an OS failure on the data directory (exit 3)."""
    reasons: dict[int | None, str] = {
        errno.ENOSPC: N_("disk full"),
        errno.EDQUOT: N_("disk quota exceeded"),
        errno.EROFS: N_("read-only file system"),
        errno.EACCES: N_("permission denied"),
        errno.EPERM: N_("permission denied"),
        errno.ENOENT: N_("no such file or directory"),
    }
    known = reasons.get(error.errno)
    reason = _(known) if known else error.strerror or str(error)
    return DataDirError(_("{path}: cannot write: {reason}").format(path=path, reason=reason))


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_beside(path: Path) -> Path:
    """A fresh name for the temporary file that will replace `path` (hidden from the index).
    Its random part is what `secrets.token_hex` makes, without the `random` module that
    `secrets` and `tempfile` load (about 1 ms of every command)."""
    return path.with_name(f"{TEMP_PREFIX}{os.urandom(6).hex()}.yaml")


Content = bytes | Callable[[BinaryIO], object]
"""What a file is to hold: its bytes, or a function that writes them to a handle (a workbook
saving itself), which may fail half-way."""


def write_temp(path: Path, data: Content, temp: Path | None = None, sync: bool = True) -> Path:
    """Write `data` to a synced temporary file beside `path` (named `temp` when given); the
    caller replaces `path` with it. Without `sync` the caller syncs them all at once
    (`os.sync`) before replacing. If writing fails, however, the temporary file is removed."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if temp is None:
            temp = temp_beside(path)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise os_error(error, path.parent) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise os_error(error, path) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


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
        raise os_error(error, path) from error
    return old


def commit_temp(temp: Path, path: Path, placed: Placed | None = None, sync: bool = True) -> None:
    """Move a temporary file written by `write_temp` over its target, durably (or, without
    `sync`, leaving the folder's sync to `sync_folders`); `placed` notes once the target is
    replaced."""
    try:
        os.replace(temp, path)
        if placed is not None:
            placed.replaced = True
        if sync:
            sync_folder(path.parent)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise os_error(error, path) from error


def sync_folders(folders) -> None:
    """After `os.sync()` made unsynced temporary files durable and they were moved into
    place: each folder once. An import of 100,000 records would otherwise wait for
    200,000 fsyncs."""
    for folder in folders:
        sync_folder(folder)


def remove(path: Path) -> None:
    try:
        path.unlink()
        sync_folder(path.parent)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise os_error(error, path) from error


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
        raise os_error(error, failed) from error
    return moved


def restore(moved: list[tuple[Path, Path]]) -> None:
    """Undo `set_aside`: put each (original, aside) file back."""
    for path, aside in reversed(moved):
        os.replace(aside, path)


def discard(moved: list[tuple[Path, Path]]) -> None:
    """The second step of removing: delete what `set_aside` renamed, durably."""
    for _path, aside in moved:
        remove(aside)


def atomic_write(path: Path, data: Content) -> None:
    commit_temp(write_temp(path, data), path)


def write_output(path: Path, data: Content) -> None:
    """The one writer of the files crm makes for the user (exports, reports, calendars,
    vCards, journals): written whole beside `path` and moved over it as records are, so a
    failure (a full disk, an exporter raising half-way) leaves the old file or none, never
    half of a new one. A link is written through, as an editor would; a device or a pipe
    (`-o /dev/stdout`) is written in place. Failing is the request's error (exit 1), not the
    data directory's: the file is the user's, wherever they chose."""
    target = path.resolve()
    try:
        if target.exists() and not target.is_file():
            with open(target, "wb") as handle:
                if callable(data):
                    data(handle)
                else:
                    handle.write(data)
            return
        if not target.parent.is_dir():
            raise os_error(FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT)), path)
        atomic_write(target, data)
    except OSError as error:
        raise InvalidValue(str(os_error(error, path))) from None
    except DataDirError as error:
        raise InvalidValue(str(error)) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in chunks (attachments can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
