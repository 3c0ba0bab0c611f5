"""The journal of a write in progress (`journal` in the state folder, see store/state.py):
how a writer killed half-way is finished or undone, so a command that wrote several files leaves all of them or none.

A transaction notes each temporary file in the journal before creating it. When every
file is staged (written and fsynced), it appends the commit line, with the files to
remove, and fsyncs the journal; from then on the write counts as done. Then the files are
moved into place, and the journal is deleted.

Whoever next holds the writers' lock (any command, at its start) finds a journal left by
a killed writer and recovers it: with a commit line, the write is rolled forward (staged
files moved into place, removals finished); without one, it is rolled back (the
temporary files deleted). Every step is idempotent, so a recovery killed half-way is
simply recovered again. Paths in the journal are confined to the data directory like
any other.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.store import fs
from crmcli.store.config import CONFIG_FILE

JOURNAL = "journal"
MAX_JOURNAL = 64 << 20
"""A journal lists the files of one command; one larger than this is not one of ours."""


class Journal:
    """The journal of one transaction, written only if the transaction stages something."""

    def __init__(self, root: Path, cache_dir: Path):
        self.root = root
        self.path = cache_dir / JOURNAL
        self.fd: int | None = None

    def _append(self, entry: dict) -> None:
        """One line, written straight to the file (no buffer left to fail later)."""
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            if os.write(self._file(), line) != len(line):
                raise OSError(28, "No space left on device")
        except OSError as error:
            raise fs.os_error(error, self.root) from error

    def _file(self) -> int:
        """The journal's descriptor, opening (creating) the file on first use."""
        if self.fd is None:
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        return self.fd

    def staging(self, temp: Path, target: Path) -> None:
        """Note a temporary file before it is created (a killed writer's is then deleted)."""
        self._append({"temp": self._relative(temp), "target": self._relative(target)})

    def committing(self, removals: list[Path]) -> None:
        """Every staged file is written and synced: from here on the write is finished, not undone."""
        self._append({"commit": True, "remove": [self._relative(path) for path in removals]})
        try:
            os.fsync(self._file())
        except OSError as error:
            raise fs.os_error(error, self.root) from error

    def close(self) -> None:
        """The write is done (or abandoned and cleaned up): the journal goes. Never fails: a
        journal that cannot be removed is recovered (harmlessly) by the next command."""
        if self.fd is not None:
            try:
                os.close(self.fd)
                self.path.unlink(missing_ok=True)
            except OSError:
                pass
            self.fd = None

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def recover(root: Path, cache_dir: Path) -> str | None:
    """Finish or undo the write a killed writer left in the journal; the caller holds the
    writers' lock. Returns a note of what was done, or None when there was nothing to do."""
    path = cache_dir / JOURNAL
    try:
        lines = _read_own(path).decode("utf-8").splitlines()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise fs.os_error(error if isinstance(error, OSError) else OSError(str(error)), path) from error
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            break  # a line cut short by the kill: nothing after it was done
    staged = [(entry["temp"], entry["target"]) for entry in entries if "temp" in entry]
    commit = next((entry for entry in entries if entry.get("commit")), None)
    folders = set()
    for temp, target in staged:
        if (target == CONFIG_FILE) != ("/" not in temp):
            continue  # crm.yaml is written only from its own temporary file beside it, and that only onto it
        temp_path, target_path = _confined(root, temp, written=True), _confined(root, target, written=True)
        if temp_path is None or target_path is None or not temp_path.name.startswith(fs.TEMP_PREFIX):
            continue
        folders.add(temp_path.parent)
        if commit is not None and temp_path.exists():
            os.replace(temp_path, target_path)
        else:
            temp_path.unlink(missing_ok=True)
        fs.old_beside(target_path).unlink(missing_ok=True)  # the old version a commit kept aside
    for relative in (commit or {}).get("remove", []):
        target_path = _confined(root, relative)
        if target_path is None:
            continue
        for leftover in (target_path.with_name(f"{fs.TEMP_PREFIX}rm-{target_path.name}"), target_path):
            if leftover.exists():
                leftover.unlink()
                folders.add(leftover.parent)
    for folder in folders:
        fs.sync_folder(folder)
    path.unlink()
    if commit is None and not staged:
        return None  # nothing had been written yet
    if commit is not None:
        return _("a write that was interrupted (a crash?) was finished ({count} file(s))").format(count=len(staged))
    return _("a write that was interrupted (a crash?) was undone ({count} file(s))").format(count=len(staged))


def _read_own(path: Path) -> bytes:
    """The journal's bytes, if it is a regular file of this user's (never through a link);
    anything else there is not ours and is removed unread."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise
        path.unlink()
        return b""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_size > MAX_JOURNAL:
            path.unlink()
            return b""
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_JOURNAL)
    finally:
        os.close(fd)


def _confined(root: Path, relative: str, *, written: bool = False) -> Path | None:
    """A journal's path, if it is one crm could have written: a record, document or attachment;
    and, for a file `written` (never one removed), crm.yaml and its temporary file (`crm access
    add`, `remove` write it in one transaction with the records they re-seal)."""
    try:
        if written and (relative == CONFIG_FILE or ("/" not in relative and relative.startswith(fs.TEMP_PREFIX))):
            return fs.confined(root, relative)  # crm.yaml, or its temporary file beside it
        return fs.data_place(root, relative)
    except InvalidValue:
        return None
