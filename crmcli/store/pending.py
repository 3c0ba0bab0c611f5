"""The mark of commands whose files are written but not yet committed to git (`uncommitted`
in the derived-state folder).

With autocommit on, a transaction notes its message and its paths here before its files
are moved into place, and the note goes once git has committed them. A commit that failed
(git missing, a full disk, a hook that refused to move the branch) or a writer killed
between the two leaves the note behind, and the next command that writes (and `crm
history`, `crm undo`, `crm sync`) commits those files first, each command with its own
message, oldest first, or says in one line why it cannot (see `Repo.commit_pending`).
Without the note those files would sit uncommitted, `crm history` would not show them, and
`crm undo` would revert the command before.

The note is derived state, so it is not trusted: it is read up to a size, each line is
checked, and a path is kept only if it is one crm writes (a record folder of a known kind,
`attachments/`, `.gitattributes`, crm.yaml as `crm access` writes it) and stays inside the data directory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from crmcli.model.kinds import kind_of_ref
from crmcli.store import fs
from crmcli.store.config import CONFIG_FILE
from crmcli.store.gitsetup import ATTRIBUTES_FILE
from crmcli.store.journal import _confined

MARK = "uncommitted"
MOST_BYTES = 64 * 1024 * 1024
MOST_MESSAGE = 1000


class Pending(NamedTuple):
    """One command's files written but not committed yet (a named tuple: every command loads
    this module, and a frozen dataclass costs it about 0.5 ms to define)."""

    message: str
    paths: tuple[str, ...]


def note(cache_dir: Path, message: str, paths: list[str]) -> int:
    """Add a command's files to the mark, durably, before they land. Returns where its line
    starts, for `withdraw`."""
    line = (json.dumps({"message": message, "paths": paths}, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        if (cache_dir / MARK).is_symlink():
            (cache_dir / MARK).unlink()  # not ours: never written through
        fd = os.open(cache_dir / MARK, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        try:
            start = os.fstat(fd).st_size
            if os.write(fd, line) != len(line):
                raise OSError(28, "No space left on device")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise fs.os_error(error, cache_dir / MARK) from None
    return start


def withdraw(cache_dir: Path, start: int) -> None:
    """Take back the line `note` added at `start`: its files never landed. The writers' lock
    is held, so no line was added after it."""
    try:
        if start == 0:
            (cache_dir / MARK).unlink()
        else:
            os.truncate(cache_dir / MARK, start)
    except OSError:
        pass  # kept, it commits nothing: its files are as they were


def exists(cache_dir: Path) -> bool:
    return os.path.lexists(cache_dir / MARK)


def read(root: Path, cache_dir: Path) -> list[Pending]:
    """The commands the mark lists, oldest first, each with only the paths it may name."""
    try:
        fd = os.open(cache_dir / MARK, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return []
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(MOST_BYTES)
    found = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a kill, or not ours
        if not isinstance(entry, dict) or not isinstance(entry.get("message"), str) \
                or not isinstance(entry.get("paths"), list):
            continue
        message = "".join(c for c in entry["message"][:MOST_MESSAGE] if c.isprintable()).strip()
        paths = tuple(path for path in entry["paths"] if isinstance(path, str) and _crm_writes(root, path))
        if message and paths:
            found.append(Pending(message, paths))
    return found


def keep(cache_dir: Path, entries: list[Pending]) -> None:
    """Rewrite the mark with `entries` (those still to commit); none: the mark goes."""
    path = cache_dir / MARK
    if not entries:
        path.unlink(missing_ok=True)
        return
    text = "".join(json.dumps({"message": e.message, "paths": list(e.paths)}, ensure_ascii=False) + "\n"
                   for e in entries)
    temp = cache_dir / f"{MARK}.new"
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def _crm_writes(root: Path, relative: str) -> bool:
    """Whether `relative` is a path crm itself writes, inside the data directory."""
    folder, _, rest = relative.partition("/")
    known = (kind_of_ref(folder) is not None or folder == "attachments") and rest \
        or relative in (ATTRIBUTES_FILE, CONFIG_FILE)
    return known and _confined(root, relative, written=True) is not None
