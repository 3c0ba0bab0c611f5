"""`crm backup FILE` and `crm restore FILE DIR`: the whole repository as a git bundle,
encrypted with age to the members of the `owner` role, and brought back from one.

A backup holds every branch and tag and all history (a git bundle of `--all`); it is readable
only with an owner's key, so it may be kept anywhere. Restoring decrypts into a private
temporary folder, clones the bundle, checks it with `git bundle verify` and the clone with
`git fsck`, so a damaged or tampered backup is refused, never half restored.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from crmcli.errors import GitError, InvalidValue
from crmcli.i18n import _
from crmcli.store import fs, git, keys
from crmcli.store.config import CONFIG_FILE
from crmcli.store.sealing import OWNER, Policy, recipient


def backup(repo, target: Path) -> str:
    """Write the encrypted bundle of `repo`'s repository to `target`; returns the commit of HEAD."""
    import pyrage

    owners = Policy.of(repo.config.raw).roles.get(OWNER) or ()
    if not owners:
        raise InvalidValue(_("a backup is encrypted to the owner role, which has no member in crm.yaml "
                             "(crm access init)"))
    tree = repo.work_tree()
    head = tree.head()
    if head is None:
        raise GitError(_("the repository has no commit yet: nothing to back up"))
    with tempfile.TemporaryDirectory(prefix="crm-backup-") as scratch:
        bundle = Path(scratch) / "repository.bundle"
        tree.run("bundle", "create", "--quiet", str(bundle), "--all")
        sealed = Path(scratch) / "backup.age"
        pyrage.encrypt_file(str(bundle), str(sealed), [recipient(key) for key in owners])
        fs.atomic_write(target, sealed.read_bytes())
    os.chmod(target, 0o600)
    return head


def restore(source: Path, target: Path) -> str:
    """Clone the backup at `source` into the new folder `target` and verify it; returns HEAD."""
    import pyrage

    if target.exists() and any(target.iterdir()):
        raise InvalidValue(_("{path}: not empty; restore into a new folder").format(path=target))
    keyring = keys.keyring()
    if not keyring.identities:
        raise InvalidValue(_("no key to open the backup with: put an owner's key at {path} (or name it in "
                             "$CRM_IDENTITY)").format(path=keys.identity_path()))
    if not source.is_file():
        raise InvalidValue(_("{path}: no such backup").format(path=source))
    created = not target.exists()
    try:
        with tempfile.TemporaryDirectory(prefix="crm-restore-") as scratch:
            bundle = Path(scratch) / "repository.bundle"
            try:
                pyrage.decrypt_file(str(source), str(bundle), list(keyring.identities))
            except (pyrage.DecryptError, OSError) as error:
                raise InvalidValue(_("{path}: cannot open the backup with your key ({error}): it is damaged, or not "
                                     "encrypted to you").format(path=source, error=error)) from None
            _git(Path(scratch), "clone", "--quiet", "--", str(bundle), str(target))
            _git(target, "bundle", "verify", "--quiet", str(bundle))
        _git(target, "fsck", "--full", "--strict", "--no-progress")
        _git(target, "remote", "remove", "origin")
        if not (target / CONFIG_FILE).is_file():
            raise InvalidValue(_("{path}: restored, but it holds no {config} at its top").format(path=target,
                                                                                             config=CONFIG_FILE))
    except BaseException:
        if created:
            shutil.rmtree(target, ignore_errors=True)  # never half restored
        raise
    return _git(target, "rev-parse", "HEAD")


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run([git.program(), *args], cwd=cwd, capture_output=True)
    if result.returncode != 0:
        raise GitError(_("git {command} failed: {failure}").format(command=args[0], failure=git.failure(result)))
    return result.stdout.decode("utf-8", "replace").strip()
