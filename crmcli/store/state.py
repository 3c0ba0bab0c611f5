"""Where crm keeps the derived state of a data directory: the index, the write journal, the
writers' lock, the mark of a commit still owed and the `--at` extracts.

Never in the work tree. Git can write any path of the work tree, and `git add -f` even an
ignored one, so a collaborator's push could otherwise hand us a journal to replay, an index
to trust or a link to write through. The state lives where no checkout can put a file:

- in `<git dir>/crm/<key>` when the data directory is in a git work tree (the git dir is
  found by walking up to `.git`, as git does; a `.git` file of a linked work tree or a
  submodule names its own git dir), so a copy of the whole repository keeps its index;
- else in `$XDG_CACHE_HOME/crm/<key>` (default `~/.cache/crm/<key>`).

`<key>` is the folder's name and a hash of where it is (its path inside the work tree, or
its real path), so two data directories never share a folder. The folder is made readable
by its owner only; one that is a link, not a folder, or owned by someone else is refused.
Everything in it is safe to delete.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path

from crmcli.errors import DataDirError
from crmcli.i18n import _
from crmcli.model.folders import user_folder

STATE_FOLDER = "crm"
UNSAFE_NAME = re.compile(r"[^\w.-]+")


def find_git(root: Path) -> tuple[Path, Path] | None:
    """(the work tree's top, its git directory) for the repository holding `root`, found
    without starting git, so that every command can afford to look: the nearest `.git` here
    or above, a folder or a file naming one (a linked work tree, a submodule). A `.git` that
    is anything else (a link) is not followed: it ends the search. None outside any
    repository. The one discovery of `.git`: the state's place and every git command use it."""
    real = root.resolve()
    for folder in (real, *real.parents):
        dot_git = folder / ".git"
        try:
            mode = os.lstat(dot_git).st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            return folder, dot_git
        if stat.S_ISREG(mode):
            return folder, _linked_git_dir(dot_git)
        return None
    return None


def git_dir_of(root: Path) -> tuple[Path, str] | None:
    """(git dir, the data directory's path inside the work tree) when `root` is in a git work
    tree, found without starting git; None otherwise."""
    real = root.resolve()
    found = find_git(real)
    if found is None:
        return None
    inside = real.relative_to(found[0]).as_posix()
    return found[1], "" if inside == "." else inside


def _linked_git_dir(dot_git: Path) -> Path:
    """The git dir a `.git` file names (`gitdir: PATH`, relative to the file's folder)."""
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError as error:
        raise DataDirError(_("{path}: cannot read: {error}").format(path=dot_git, error=error.strerror)) from None
    for line in text.splitlines():
        if line.startswith("gitdir:"):
            return (dot_git.parent / line.split(":", 1)[1].strip()).resolve()
    raise DataDirError(_("{path}: not a git link file (no gitdir: line)").format(path=dot_git))


def state_dir(root: Path) -> Path:
    """The derived-state folder of the data directory at `root` (not created here)."""
    real = root.resolve()
    found = git_dir_of(real)
    if found:
        base, where = found[0] / STATE_FOLDER, found[1]
    else:
        base, where = user_folder("XDG_CACHE_HOME", ".cache") / STATE_FOLDER, str(real)
    name = UNSAFE_NAME.sub("_", real.name)[:40] or "root"
    return base / f"{name}-{hashlib.sha256(where.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}"


def usable(folder: Path) -> str | None:
    """Why `folder` may not hold our state (None when it may): it must be a real folder, not a
    link, owned by this user."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        return error.strerror
    if stat.S_ISLNK(info.st_mode):
        return _("a link, not a folder")
    if not stat.S_ISDIR(info.st_mode):
        return _("not a folder")
    if info.st_uid != os.getuid():
        return _("owned by another user")
    return None


def ensure(folder: Path) -> Path:
    """Create the state folder (owner-only) if needed and check it; DataDirError if unusable."""
    problem = usable(folder)
    if problem is None:
        try:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as error:
            problem = error.strerror
        else:
            problem = usable(folder)
    if problem is not None:
        raise DataDirError(_("{path}: cannot keep crm's index and lock there: {problem}").format(
            path=folder, problem=problem))
    return folder


def regular_or_absent(path: Path) -> bool:
    """Whether `path` is a regular file of this user's, or does not exist: what may be opened
    as a state file. Anything else (a link, a fifo, another user's file) is never followed."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()


def read_json(path: Path, most_bytes: int) -> dict:
    """A JSON object kept in the state folder, read up to `most_bytes` and never through a link;
    empty when missing, unreadable or not an object (derived state is not trusted)."""
    if not regular_or_absent(path):
        return {}
    try:
        with open(path, "rb") as handle:
            loaded = json.loads(handle.read(most_bytes + 1)[:most_bytes])
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}
