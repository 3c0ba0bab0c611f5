"""Finding what changed in the data directory since the index last looked, fast.

Every record file is `lstat`ed: an editor that rewrites a file in place changes
nothing but the file itself, so nothing cheaper is reliable. What is kept small is
everything around the system calls. Each folder is summed up as (files, Σ mtime,
Σ size, Σ inode, Σ crc32 of names); only folders whose sums differ from the index's
are compared file by file. Large trees are walked by two processes (fork), one per
core, since the time goes into the kernel.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterator

from crmcli.i18n import N_, _

PARALLEL_FROM_FILES = 20000
MODULUS = 1 << 62
LINKED_FOLDER = N_("{path}: a link to a folder; skipped (records are read only from inside the data directory)")
UNREADABLE_FOLDER = N_("{path}: cannot read: {error}; skipped")
Entry = tuple[int, int, int]
"""(change time in ns, size, inode) of one file: the change time (ctime) moves on a chmod as
well as on a write, so a file that became unreadable is read again, and warned about."""


class Scan:
    """What a look at the folders found. A plain class, not a dataclass: every command
    defines it at start-up, and a dataclass costs about half a millisecond to define."""

    __slots__ = ("sums", "entries", "warnings")

    def __init__(self, sums: dict[str, tuple] | None = None, entries: dict[str, dict[str, Entry]] | None = None,
                 warnings: list[tuple[str, str]] | None = None):
        self.sums = sums if sums is not None else {}
        """folder → (count, Σ mtime, Σ size, Σ inode, Σ crc32(name)), modulo 2^62."""
        self.entries = entries if entries is not None else {}
        """folder → {file name: entry}, for the folders whose sums differ from what was known."""
        self.warnings = warnings if warnings is not None else []
        """(path, message) of what was skipped (plain tuples: they cross a pipe by marshal)."""

    def merge(self, other: Scan) -> None:
        self.sums.update(other.sums)
        self.entries.update(other.entries)
        self.warnings += other.warnings


def _leads_to_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:  # a loop
        return False


def walk(root: str, units: list[tuple[str, bool]], known: dict[str, tuple]) -> Scan:
    """Sum up each (folder, recurse) unit; subfolders are walked too where `recurse`."""
    scan = Scan()
    stack = list(units)
    while stack:
        folder, recurse = stack.pop()
        fd = _opened(root, folder, scan.warnings)
        if fd is None:
            continue
        files = list(_files(fd, folder, recurse, stack, scan.warnings))
        sums = _summed(len(files), sum(stat[0] for _name, stat in files), sum(stat[1] for _name, stat in files),
                       sum(stat[2] for _name, stat in files), sum(zlib.crc32(name.encode()) for name, _stat in files))
        if files or folder in known:
            scan.sums[folder] = sums
        if known.get(folder) != sums:
            scan.entries[folder] = dict(files)
    return scan


def stream(root: str, folders: list[str], scan: Scan) -> Iterator[tuple[str, Entry]]:
    """(path, entry) of every record file under `folders`, one at a time as they are listed,
    for a first look at a data directory (a cold build): nothing is kept per file, so memory
    stays flat however many there are. The sums of each folder go into `scan.sums` (every
    folder is new) once it is listed, and what was skipped into `scan.warnings`."""
    stack = [(folder, True) for folder in folders]
    while stack:
        folder, recurse = stack.pop()
        fd = _opened(root, folder, scan.warnings)
        if fd is None:
            continue
        count = mtimes = sizes = inodes = names = 0
        for name, stat in _files(fd, folder, recurse, stack, scan.warnings):
            yield f"{folder}/{name}", stat
            count += 1
            mtimes += stat[0]
            sizes += stat[1]
            inodes += stat[2]
            names += zlib.crc32(name.encode())
        if count:
            scan.sums[folder] = _summed(count, mtimes, sizes, inodes, names)


def count(root: str, folders: list[str]) -> int:
    """About how many record files `stream` will give: their names counted, no file looked
    at (the total of a cold build's progress bar)."""
    found = 0
    stack = [os.path.join(root, folder) for folder in folders]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.name[0] == ".":
                        continue
                    if entry.name.endswith(".yaml"):
                        found += 1
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:  # the stream warns about it
            pass
    return found


def _summed(count: int, mtimes: int, sizes: int, inodes: int, names: int) -> tuple:
    return (count, mtimes % MODULUS, sizes % MODULUS, inodes % MODULUS, names % MODULUS)


def _opened(root: str, folder: str, warnings: list[tuple[str, str]]) -> int | None:
    """A descriptor of the folder, not followed if it is a link; None (with a warning) if it
    cannot be read."""
    try:
        return os.open(os.path.join(root, folder), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        if os.path.islink(os.path.join(root, folder)):
            warnings.append((folder, _(LINKED_FOLDER).format(path=folder)))
        elif os.path.isdir(os.path.join(root, folder)):
            warnings.append((folder, _(UNREADABLE_FOLDER).format(path=folder, error=error.strerror)))
        return None


def _files(fd: int, folder: str, recurse: bool, stack: list, warnings: list) -> Iterator[tuple[str, Entry]]:
    """(name, entry) of the record files of the open folder `fd` (closed when done); its
    subfolders go on `stack` if `recurse`, what is skipped into `warnings`."""
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if recurse:
                        stack.append((f"{folder}/{name}", True))
                    continue
                if entry.is_symlink() and not name.endswith(".yaml") and _leads_to_folder(entry):
                    warnings.append((f"{folder}/{name}", _(LINKED_FOLDER).format(path=f"{folder}/{name}")))
                    continue
                if not name.endswith(".yaml"):
                    continue
                if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                    warnings.append((f"{folder}/{name}", _("{path}: not a regular file (a link?); "
                                                           "skipped").format(path=f"{folder}/{name}")))
                    continue
                st = entry.stat(follow_symlinks=False)
                yield name, (st.st_ctime_ns, st.st_size, st.st_ino)
    finally:
        os.close(fd)


def _units(root: str, folders: list[str]) -> list[tuple[str, bool]]:
    """Work to share out: each kind folder's own files, and each of its year folders."""
    units = []
    for folder in folders:
        path = os.path.join(root, folder)
        if not os.path.isdir(path) or os.path.islink(path):
            continue
        units.append((folder, False))
        try:
            units += [(f"{folder}/{e.name}", True) for e in os.scandir(path)
                      if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")]
        except OSError:  # unreadable: the walk of its own unit warns about it
            pass
    return units


def scan(root, folders: list[str], known: dict[str, tuple]) -> Scan:
    """The sums of every record folder under `folders`, and the files of those that changed."""
    root = str(root)
    expected = sum(sums[0] for sums in known.values())
    if expected < PARALLEL_FROM_FILES or not hasattr(os, "fork"):
        return walk(root, [(folder, True) for folder in folders], known)
    units = _units(root, folders)
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(reader)
            result = walk(root, units[1::2], known)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(marshal.dumps((result.sums, result.entries, result.warnings)))
            os._exit(0)
        finally:
            os._exit(1)
    os.close(writer)
    result = walk(root, units[0::2], known)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _pid, status = os.waitpid(child, 0)
    if status != 0 or not data:
        result.merge(walk(root, units[1::2], known))
    else:
        result.merge(Scan(*marshal.loads(data)))
    return result
