"""Where each IMAP mailbox's import got to (`mail.json` in the derived-state folder): its
UIDVALIDITY and the last UID imported, so the cron job fetches only newer mail.

Local, not in the records: what this clone fetched from which server is nobody else's
business, must not conflict in a merge and must not be set by a pull. Like all derived state
it is not trusted; deleting it only means the next import reads the whole mailbox again,
which logs nothing twice (each email's Message-ID is kept on its interaction)."""

from __future__ import annotations

import json

from crmcli.store import fs, state
from crmcli.store.lock import writer_lock

MAIL_FILE = "mail.json"
MOST_BYTES = 1024 * 1024


def mailbox_mark(repo, mailbox: str) -> tuple[int, int] | None:
    """(UIDVALIDITY, last UID imported) of `mailbox` (a URL without secrets), if known."""
    entry = state.read_json(repo.cache_dir / MAIL_FILE, MOST_BYTES).get(mailbox)
    if isinstance(entry, list) and len(entry) == 2 and all(isinstance(n, int) for n in entry):
        return entry[0], entry[1]
    return None


def note_mailbox(repo, mailbox: str, validity: int, last_uid: int) -> None:
    """Remember how far `mailbox` was imported, under the writers' lock."""
    folder = state.ensure(repo.cache_dir)
    with writer_lock(folder, repo.root):
        known = state.read_json(folder / MAIL_FILE, MOST_BYTES)
        known[mailbox] = [validity, last_uid]
        fs.atomic_write(folder / MAIL_FILE, json.dumps(known, sort_keys=True, indent=0).encode("utf-8"))
