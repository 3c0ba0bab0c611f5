"""`crm init`: a new data directory with settings, folders, .gitignore and a git repository
set up for crm (merge driver, pre-commit hook), its files in a first commit."""

from __future__ import annotations

import os
import shutil
from importlib import resources
from pathlib import Path

from crmcli.errors import DataDirError, GitError, InvalidValue
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.model.money import currency as currency_code
from crmcli.store import codec, git, gitsetup
from crmcli.store.codec import dump
from crmcli.store.config import CONFIG_FILE, DEFAULT_CONFIG
from crmcli.store.fs import atomic_write, os_error
from crmcli.store.validation import document_problems

TEMPLATES = "templates"
GITIGNORE = ("# files of a crm write in progress (crm keeps its index and lock in .git/crm/, never here)\n"
             ".crm-tmp-*\n")


def init_data_dir(path: Path, *, name: str, currency: str, me: str, timezone: str | None,
                  git: bool = True) -> list[str]:
    """Create the data directory at `path`; returns notes on what was done."""
    if (path / CONFIG_FILE).exists():
        raise InvalidValue(_("{path} is already a crm data directory").format(path=path))
    if not name.strip():
        raise InvalidValue(_("a data directory needs the business's name (--name)"))
    config = DEFAULT_CONFIG.format(name=_yaml_text(name), currency=currency_code(currency), me=_yaml_text(me),
                                   timezone=f"timezone: {timezone}\n" if timezone else "")
    problems = document_problems("config", codec.decode(config.encode("utf-8")))
    if problems:  # what every later command would refuse to read (an unknown currency): nothing is written
        raise InvalidValue(problems[0][1])
    notes = []
    written = [CONFIG_FILE]
    try:
        path.mkdir(parents=True, exist_ok=True)
        for kind in KINDS.values():
            (path / kind.folder).mkdir(exist_ok=True)
            (path / kind.folder / ".gitkeep").touch()
            written.append(f"{kind.folder}/.gitkeep")
    except OSError as error:
        raise os_error(error, path) from error
    atomic_write(path / CONFIG_FILE, config.encode("utf-8"))
    for file_name, text in ((".gitignore", GITIGNORE), (gitsetup.ATTRIBUTES_FILE, gitsetup.ATTRIBUTES)):
        if not (path / file_name).exists():
            atomic_write(path / file_name, text.encode("utf-8"))
            written.append(file_name)
    written += _install_templates(path)
    notes.append(_("created {path}").format(path=path / CONFIG_FILE))
    if git:
        notes.append(_git_init(path))
        if shutil.which("git"):
            notes.extend(_set_up_git(path, written, name))
    return notes


def default_folder(cwd: Path) -> Path:
    """The folder `crm init` uses when none is named: the current one, but only while it is
    empty, so that a stray `crm init` in $HOME does not make it a data directory and a git
    repository. Giving `.` says it is meant."""
    try:
        empty = not any(cwd.iterdir())
    except OSError as error:
        raise os_error(error, cwd) from error
    if not empty:
        raise InvalidValue(_("{path} is not empty: name the new data directory (crm init ~/crm), or give . to "
                             "make this folder one").format(path=cwd))
    return cwd


def starter_templates() -> list[tuple[str, bytes]]:
    """(file name, text) of the contract templates a new data directory starts with: a framework
    agreement in English and in Chinese, shipped in the package's templates/."""
    folder = resources.files("crmcli").joinpath(TEMPLATES)
    return sorted((entry.name, entry.read_bytes()) for entry in folder.iterdir() if entry.name.endswith(".md"))


def _install_templates(path: Path) -> list[str]:
    """The starter templates in `path`/templates/, leaving any of the same name alone; the paths written."""
    written = []
    try:
        (path / TEMPLATES).mkdir(exist_ok=True)
    except OSError as error:
        raise os_error(error, path / TEMPLATES) from error
    for name, text in starter_templates():
        if not (path / TEMPLATES / name).exists():
            atomic_write(path / TEMPLATES / name, text)
            written.append(f"{TEMPLATES}/{name}")
    return written


def system_zone_name() -> str | None:
    """The IANA name of this machine's zone ($TZ, or where /etc/localtime points), if known."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name and "/" in name:
        return name
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def _yaml_text(text: str) -> str:
    return dump(text).strip().removesuffix("...").strip()


def _git_init(path: Path) -> str:
    """A repository for the data directory, unless it already is in one."""
    if shutil.which("git") is None:
        return _("git is not installed: the data directory is not under version control")
    if git.maybe_in_git(path):
        try:
            git.work_tree(path)
            return _("the data directory is in a git repository already")
        except GitError:
            pass
    failed = git.init(path)
    if failed is not None:
        raise DataDirError(_("{path}: git init failed: {error}").format(path=path, error=failed))
    return _("initialised a git repository")


def _set_up_git(path: Path, written: list[str], name: str) -> list[str]:
    """The merge driver, a first commit of the new files, the pre-commit hook; a failure
    here leaves a working data directory, so it is a note, not an error."""
    notes = []
    try:
        tree = git.work_tree(path)
        gitsetup.install_merge_driver(tree)
        notes.append(_("installed the merge driver for records and the pre-commit hook {path}").format(
            path=gitsetup.install_hook(tree)))
    except GitError as error:
        notes.append(_("git not fully set up: {error} (then run: crm git install-hooks)").format(error=error))
        return notes
    try:
        commit = git.commit_files(tree, written, f"init: data directory of {name}")
        notes.append(_("committed the new files as {commit}").format(commit=commit[:12]) if commit
                     else _("nothing new to commit"))
    except GitError as error:  # the repository is set up; only its first commit is missing
        notes.append(_("the new files are not committed: {error}; then commit them: git -C {path} add -A && "
                       "git -C {path} commit -m init").format(error=error, path=path))
    return notes
