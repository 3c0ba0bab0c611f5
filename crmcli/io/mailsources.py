"""Where `crm mail import` reads mail: a Maildir, an mbox file, or an IMAP mailbox
(`imaps://user@host/INBOX`). Each source yields (key, raw bytes); an IMAP source fetches only
what is newer than the last import (its UIDVALIDITY and last UID are kept in the local
state folder, store/mailstate.py) and is told when the import landed, to move its mark.

The IMAP password comes from an environment variable or the system keyring, never from a
file that travels. TLS is required, except on a loopback address (a local Dovecot, a bridge)."""

from __future__ import annotations

import imaplib
import ipaddress
import mailbox
import os
import re
import ssl
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.store.mailstate import mailbox_mark, note_mailbox

FETCH_BATCH = 100
TIMEOUT = 60


class FileSource:
    """A Maildir (a folder with cur/ and new/) or an mbox file."""

    def __init__(self, path: Path):
        self.name = str(path)
        if path.is_dir():
            if not (path / "cur").is_dir() or not (path / "new").is_dir():
                raise InvalidValue(_("not a Maildir (no cur/ and new/ folders)"), where=str(path))
            self.box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
        elif path.is_file():
            self.box = mailbox.mbox(path, factory=None, create=False)
        else:
            raise InvalidValue(_("no such Maildir, mbox file or IMAP URL"), where=str(path))

    def __len__(self) -> int:
        return len(self.box)

    def messages(self, since: date | None) -> Iterator[tuple[str, bytes]]:
        for key in self.box.iterkeys():
            try:
                yield str(key), self.box.get_bytes(key)
            except (OSError, KeyError):
                continue  # taken away by the mail client meanwhile

    def prepare(self, since: date | None) -> None:
        """Nothing to ask first: a file is read whole (`since` is applied to each message's date)."""

    def landed(self, repo) -> None:
        """Nothing to remember: Message-IDs make a second import of a file a no-op."""

    def close(self) -> None:
        self.box.close()


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def imap_password(user: str, host: str, variable: str) -> str:
    """The password: `$variable`, else the system keyring's for service `crm` and `user@host`."""
    if os.environ.get(variable):
        return os.environ[variable]
    try:
        # lazy: keyring is optional (not a dependency of crm): only a mail password lookup tries it
        import keyring  # type: ignore[import-not-found]
    except ImportError:
        keyring = None
    secret = keyring.get_password("crm", f"{user}@{host}") if keyring is not None else None
    if not secret:
        raise InvalidValue(_("no password for {account}: set ${variable}, or store one in the system keyring "
                             "(keyring set crm {account})").format(account=f"{user}@{host}", variable=variable))
    return secret


class ImapSource:
    """An IMAP mailbox, read without marking anything seen."""

    def __init__(self, url: str, password_variable: str, repo):
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise InvalidValue(_("an IMAP source looks like imaps://user@host/INBOX"), where=url)
        self.host, self.user = parts.hostname, unquote(parts.username)
        self.tls = parts.scheme == "imaps"
        if not self.tls and not _loopback(self.host):
            raise InvalidValue(_("IMAP without TLS is refused except on a loopback address: use imaps://"), where=url)
        self.port = parts.port or (993 if self.tls else 143)
        self.folder = unquote(parts.path.lstrip("/")) or "INBOX"
        self.name = f"{parts.scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"
        self.password = imap_password(self.user, self.host, password_variable)
        self.repo = repo
        self.validity = 0
        self.last = 0
        self.uids: list[int] = []
        self.connection = self._connect()

    def _connect(self) -> imaplib.IMAP4:
        try:
            if self.tls:
                connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT)
            else:
                connection = imaplib.IMAP4(self.host, self.port, timeout=TIMEOUT)
            connection.login(self.user, self.password)
            kind, data = connection.select(_quoted(self.folder), readonly=True)
            if kind != "OK":
                raise InvalidValue(_("no mailbox {folder}").format(folder=self.folder), where=self.name)
            validity = (connection.untagged_responses.get("UIDVALIDITY") or [b"0"])[-1]
            self.validity = int(validity if isinstance(validity, bytes) else validity[0])
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
            raise InvalidValue(_("IMAP: {error}").format(error=error), where=self.name) from None
        return connection

    def _search(self, since: date | None) -> list[int]:
        mark = mailbox_mark(self.repo, self.name)
        after = mark[1] if mark and mark[0] == self.validity else 0
        criteria = [f"UID {after + 1}:*"]
        if since is not None:
            criteria.append(f"SINCE {since.day}-{since.strftime('%b')}-{since.year}")
        kind, data = self.connection.uid("SEARCH", *criteria)
        if kind != "OK":
            raise InvalidValue(_("IMAP search failed: {reply}").format(reply=data), where=self.name)
        self.last = after
        return sorted(uid for uid in map(int, (data[0] or b"").split()) if uid > after)

    def __len__(self) -> int:
        return len(self.uids)

    def prepare(self, since: date | None) -> None:
        self.uids = self._search(since)

    def messages(self, since: date | None) -> Iterator[tuple[str, bytes]]:
        for start in range(0, len(self.uids), FETCH_BATCH):
            batch = self.uids[start:start + FETCH_BATCH]
            kind, data = self.connection.uid("FETCH", ",".join(map(str, batch)), "(UID BODY.PEEK[])")
            if kind != "OK":
                raise InvalidValue(_("IMAP fetch failed: {reply}").format(reply=data), where=self.name)
            for item in data:
                if isinstance(item, tuple):
                    found = re.search(rb"UID (\d+)", item[0])
                    yield (found.group(1).decode() if found else "?"), item[1]
        self.last = max(self.uids, default=self.last)

    def landed(self, repo) -> None:
        """Remember the last UID read, now that what it brought is written."""
        note_mailbox(repo, self.name, self.validity, self.last)

    def close(self) -> None:
        try:
            self.connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def open_source(text: str, repo, password_variable: str):
    """The source named on the command line."""
    if text.startswith(("imap://", "imaps://")):
        return ImapSource(text, password_variable, repo)
    return FileSource(Path(text).expanduser())
