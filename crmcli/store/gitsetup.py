"""Setting a repository up for crm: the merge driver for records and the pre-commit hook.

Git runs both through a shell, so they name the Python that runs crm now (`-m crmcli`),
quoted; the hook falls back to `crm` on PATH if that Python has gone away. The driver's
config lives in `.git/config`, which clones do not share: `crm init`, `crm git install-hooks`,
`crm sync` (every time) and the first command run in a fresh clone (`set_up_clone`) put it
there; `.gitattributes` travels with the data.

What is written comes from crm's own code, never from the repository: a pulled file cannot
choose the driver's command or the hook's text, and the hook is never written through a link.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from crmcli.errors import GitError
from crmcli.i18n import _
from crmcli.store import codec, git
from crmcli.store.fs import atomic_write
from crmcli.store.git import WorkTree

ATTRIBUTES_FILE = ".gitattributes"
ATTRIBUTE_LINE = "*.yaml merge=crm"
ATTRIBUTES = f"# records merge field by field (crm git install-hooks)\n{ATTRIBUTE_LINE}\n"
HOOK_MARK = "# installed by crm"


def python_command() -> str:
    return f"{shlex.quote(sys.executable)} -m crmcli"


def attributes_text(existing: str | None) -> str | None:
    """`.gitattributes` with the merge driver's line, or None when it has it already."""
    if existing is None:
        return ATTRIBUTES
    if ATTRIBUTE_LINE in existing.splitlines():
        return None
    return existing + ("" if existing.endswith("\n") or not existing else "\n") + ATTRIBUTES


def install_merge_driver(tree: WorkTree) -> None:
    """Tell this repository how to run the `crm` merge driver that `.gitattributes` names."""
    tree.run("config", "merge.crm.name", "crm: three-way merge of records, field by field")
    tree.run("config", "merge.crm.driver", f"{python_command()} git merge-driver %O %A %B %P")


def hook_script(tree: WorkTree) -> str:
    data_dir = shlex.quote(tree.prefix.rstrip("/") or ".")
    python = shlex.quote(sys.executable)
    command = f"--data-dir {data_dir} git pre-commit"
    return (f"#!/bin/sh\n{HOOK_MARK}: refuses a commit whose staged records would break the data.\n"
            f"if [ -x {python} ]; then exec {python} -m crmcli {command}; fi\n"
            f"exec crm {command}\n")


def hook_path(tree: WorkTree) -> Path:
    """Where git looks for the pre-commit hook (`core.hooksPath`, else the git dir's hooks/)."""
    return Path(os.path.abspath(tree.root / tree.out("rev-parse", "--git-path", "hooks/pre-commit")))


def install_hook(tree: WorkTree, path: Path | None = None) -> Path:
    """Write the pre-commit hook (at `path`, else where `core.hooksPath` says); refuses to
    replace someone else's, and to write through a link (of the hook or its folder)."""
    path = path or hook_path(tree)
    if path.is_symlink() or path.parent.is_symlink():
        raise GitError(_("{path} is a link: crm does not write through it; add `crm git pre-commit` to the hook "
                         "yourself").format(path=path))
    if path.exists() and HOOK_MARK not in path.read_text(encoding="utf-8", errors="replace"):
        raise GitError(_("{path} exists and is not crm's: add `crm git pre-commit` to it yourself").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, hook_script(tree).encode("utf-8"))
    path.chmod(0o755)
    return path


CONFIG_LIMIT = 1 << 20
"""How much of `.git/config` the quick look for the driver reads."""


def _common_dir(git_dir: Path) -> Path:
    """Where a repository keeps its config and hooks: its git dir, or for a linked work tree
    the main one's, which the git dir's `commondir` file names."""
    try:
        return Path(os.path.abspath(git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()))
    except (OSError, UnicodeDecodeError):
        return Path(os.path.abspath(git_dir))


def _configured_here(git_dir: Path) -> bool:
    """Whether the repository's own config names crm's merge driver, read without starting
    git (every command looks). A miss is settled by asking git (the driver may come from an
    included file)."""
    try:
        with (_common_dir(git_dir) / "config").open("rb") as handle:
            return b'[merge "crm"]' in handle.read(CONFIG_LIMIT)
    except OSError:
        return False


def _asks_for_driver(root: Path) -> bool:
    """Whether the data merges with crm's driver: its `.gitattributes` (which `crm init` writes
    and every clone gets) names it. A data directory that lies in someone else's repository
    (a project's examples) is not set up behind its owner's back. Read as a record file is:
    never through a link, never more than a record's size."""
    try:
        text = codec.read(root / ATTRIBUTES_FILE)
    except (OSError, codec.RecordSyntaxError):
        return False
    return ATTRIBUTE_LINE.encode("utf-8") in (line.strip() for line in text.splitlines())


def set_up_clone(root: Path) -> str | None:
    """Install the merge driver and the pre-commit hook in the repository holding the data
    directory `root` when the data asks for the driver (`.gitattributes`) but the repository's
    config has none: a fresh `git clone` (git copies neither `.git/config` nor hooks). Then a
    plain `git pull` merges records field by field, as `crm sync` does. Returns the one line
    that says so, or None when nothing was done.

    Nothing is said or done for a data directory outside git, one that cannot be written,
    when git is missing or the config cannot be written (another crm command may be writing
    it this moment): those commands just work. The hook goes only into the git dir's own
    hooks/ (a `core.hooksPath` shared by other repositories is left to `crm git install-hooks`);
    a hook that is someone else's or a link is left alone, and the line says so."""
    found = git.find_repository(root)
    if found is None or _configured_here(found[1]) or not _asks_for_driver(root) or not os.access(root, os.W_OK):
        return None
    try:
        tree = git.work_tree(root)
        if tree.run("config", "--get", "merge.crm.driver", check=False).returncode == 0:
            return None
        install_merge_driver(tree)
        path = hook_path(tree)
    except GitError:
        return None
    if path != _common_dir(tree.git_dir) / "hooks" / "pre-commit":
        return _("set up this clone for git: installed crm's merge driver, so that git pull merges records field by "
                 "field (core.hooksPath is set: crm git install-hooks puts the pre-commit hook there)")
    try:
        install_hook(tree, path)
    except (GitError, OSError) as error:
        return _("set up this clone for git: installed crm's merge driver, so that git pull merges records field by "
                 "field (the pre-commit hook is not installed: {error})").format(error=error)
    return _("set up this clone for git: installed crm's merge driver, so that git pull merges records field by "
             "field, and the pre-commit hook {path}").format(path=path)
