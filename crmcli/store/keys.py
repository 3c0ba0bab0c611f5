"""The user's own private key, kept on this machine only, never in the data directory.

The key is an age identity file (`AGE-SECRET-KEY-1…` lines, `#` comments; or an OpenSSH
ed25519 private key) at `$CRM_IDENTITY` when set, else `$XDG_CONFIG_HOME/crm/identity.txt`.
Nothing in crm.yaml can name where it is read from: crm.yaml arrives through git, and a
collaborator could otherwise point it at any file of the user's.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

from crmcli.errors import DataDirError, InvalidValue
from crmcli.i18n import _
from crmcli.model.folders import user_folder

KEY_VARIABLE = "CRM_IDENTITY"
MAX_KEY_FILE = 64 * 1024
SSH_PRIVATE = "-----BEGIN OPENSSH PRIVATE KEY-----"


def identity_path() -> Path:
    """Where this user's key is (or would be made by `crm access init`)."""
    named = os.environ.get(KEY_VARIABLE)
    if named:
        return Path(named).expanduser()
    return user_folder("XDG_CONFIG_HOME", ".config") / "crm" / "identity.txt"


class Keyring(NamedTuple):
    """The identities this user can open envelopes with (none: every protected value is locked).
    A named tuple: every command asks for it, and a frozen dataclass costs it 0.5 ms to define."""

    identities: tuple
    publics: tuple[str, ...]
    fingerprint: str
    """Names this set of keys, so an index built with other keys is rebuilt (see store/index.py)."""


NO_KEYS = Keyring((), (), "none")


def keyring() -> Keyring:
    """The user's keys as the key file holds them now (read again when it changes)."""
    path = identity_path()
    try:
        info = os.stat(path)
    except OSError:
        return NO_KEYS
    return _load(str(path), info.st_mtime_ns, info.st_size, info.st_ino)


@functools.lru_cache(maxsize=4)
def _load(path: str, _mtime: int, _size: int, _inode: int) -> Keyring:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_KEY_FILE + 1)
    except OSError as error:
        raise DataDirError(_("{path}: cannot read your key: {error}").format(path=path, error=error.strerror)) from None
    if len(data) > MAX_KEY_FILE:
        raise InvalidValue(_("{path}: not a key file (larger than 64 KiB)").format(path=path))
    text = data.decode("utf-8", "replace")
    identities, publics = parse_identities(text, path)
    return Keyring(tuple(identities), tuple(publics), hashlib.sha256(data).hexdigest()[:16])


def parse_identities(text: str, where: str) -> tuple[list, list[str]]:
    """(identities, their public keys) in an identity file's text."""
    # lazy: without a key file (`keyring`), every command that reads records does without it
    import pyrage

    if SSH_PRIVATE in text:
        try:
            identity = pyrage.ssh.Identity.from_buffer(text.encode("utf-8"))
        except (pyrage.IdentityError, ValueError) as error:
            raise InvalidValue(_("{path}: not a usable SSH key: {error}").format(path=where, error=error)) from None
        return [identity], []
    identities, publics = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            identity = pyrage.x25519.Identity.from_str(line)
        except (pyrage.IdentityError, ValueError):
            raise InvalidValue(_("line {line} is not an age secret key (AGE-SECRET-KEY-1…)").format(line=number),
                               where=where) from None
        identities.append(identity)
        publics.append(str(identity.to_public()))
    return identities, publics


def make_identity() -> tuple[Path, str]:
    """Create this user's key (refused if there is one): (where it is, its public key). The file
    is readable by the user only, in a folder only the user can open."""
    path = identity_path()
    if path.exists():
        raise InvalidValue(_("{path}: you have a key already (its public key: crm access list)").format(path=path))
    import pyrage  # lazy: as in `parse_identities`

    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = f"# crm key, public key: {public}\n# keep this file private; never commit it\n{identity}\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return path, public
