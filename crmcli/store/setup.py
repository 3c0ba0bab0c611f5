"""`crm init`: a new data directory with settings, folders, .gitignore and a git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from crmcli.errors import DataDirError, InvalidValue
from crmcli.model.kinds import KINDS
from crmcli.store.config import CONFIG_FILE, DEFAULT_CONFIG
from crmcli.store.fs import atomic_write, os_error

GITIGNORE = "# derived cache of crm (the index); safe to delete\n.crm/\n"


def init_data_dir(path: Path, *, name: str, currency: str, me: str, timezone: str | None, git: bool = True) -> list[str]:
    """Create the data directory at `path`; returns notes on what was done."""
    if (path / CONFIG_FILE).exists():
        raise InvalidValue(f"{path} is already a crm data directory")
    if len(currency) != 3 or not currency.isalpha():
        raise InvalidValue(f"invalid currency {currency!r}: use an ISO 4217 code such as CNY, EUR or USD")
    notes = []
    try:
        path.mkdir(parents=True, exist_ok=True)
        for kind in KINDS.values():
            (path / kind.folder).mkdir(exist_ok=True)
            (path / kind.folder / ".gitkeep").touch()
    except OSError as error:
        raise os_error(error, path)
    config = DEFAULT_CONFIG.format(name=_yaml_text(name), currency=currency.upper(), me=_yaml_text(me),
                                   timezone=f"timezone: {timezone}\n" if timezone else "")
    atomic_write(path / CONFIG_FILE, config.encode("utf-8"))
    if not (path / ".gitignore").exists():
        atomic_write(path / ".gitignore", GITIGNORE.encode("utf-8"))
    notes.append(f"created {path / CONFIG_FILE}")
    if git:
        notes.append(_git_init(path))
    return notes


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
    from crmcli.store.codec import dump

    return dump(text).strip().removesuffix("...").strip()


def _git_init(path: Path) -> str:
    if (path / ".git").exists():
        return "git repository already present"
    git = shutil.which("git")
    if git is None:
        return "git is not installed: the data directory is not under version control"
    # an argument list (no shell), and "--": a path such as "--template=DIR" is a path, not an option
    result = subprocess.run([git, "init", "--quiet", "--", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise DataDirError(f"{path}: git init failed: {result.stderr.strip()}")
    return "initialised a git repository"
