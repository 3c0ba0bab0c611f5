"""Setting a repository up for crm: the merge driver for records and the pre-commit hook.

Git runs both through a shell, so they name the Python that runs crm now (`-m crmcli`),
quoted; the hook falls back to `crm` on PATH if that Python has gone away. The driver's
config lives in `.git/config`, which clones do not share: `crm git install-hooks` (and
`crm sync`, every time) puts it there; `.gitattributes` travels with the data.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from crmcli.errors import GitError
from crmcli.i18n import _
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


def install_hook(tree: WorkTree) -> Path:
    """Write the pre-commit hook (where `core.hooksPath` says); refuses to replace someone else's."""
    path = tree.root / tree.out("rev-parse", "--git-path", "hooks/pre-commit")
    if path.exists() and HOOK_MARK not in path.read_text(encoding="utf-8", errors="replace"):
        raise GitError(_("{path} exists and is not crm's: add `crm git pre-commit` to it yourself").format(path=path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hook_script(tree), encoding="utf-8")
    path.chmod(0o755)
    return path
