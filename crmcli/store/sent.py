"""What the cron digest has already sent (`sent.json` in the derived-state folder), so news
that is raised day after day, such as a target behind plan from day 20 to the end of its
period or a target reached, goes out once per owner and period.

Kept with the index, not in the records: which digest went out from which clone is not
business data, must not conflict in a merge, and must not be set by a pull (a collaborator
could otherwise silence our alerts). Like all derived state it is not trusted: it is read up
to a size, and only string keys count. Deleting it means the pending news is sent again.
"""

from __future__ import annotations

import json
from pathlib import Path

from crmcli.store import fs, state
from crmcli.store.lock import writer_lock

SENT_FILE = "sent.json"
MOST_BYTES = 4 * 1024 * 1024


def sent_keys(cache_dir: Path) -> dict[str, str]:
    """Each key already sent, with the day it went out; empty when nothing is known."""
    loaded = state.read_json(cache_dir / SENT_FILE, MOST_BYTES)
    return {key: value for key, value in loaded.items() if isinstance(key, str) and isinstance(value, str)}


def note_sent(repo, keys: dict[str, str]) -> None:
    """Remember `keys` (key → day sent) as sent, under the writers' lock, so two cron runs at
    once cannot lose each other's notes; nothing when there is nothing new."""
    if not keys or repo.revision is not None:
        return
    folder = state.ensure(repo.cache_dir)
    with writer_lock(folder, repo.root):
        known = sent_keys(folder)
        fresh = {key: day for key, day in keys.items() if key not in known}
        if fresh:
            data = json.dumps({**known, **fresh}, ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")
            fs.atomic_write(folder / SENT_FILE, data)
