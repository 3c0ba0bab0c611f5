"""The writers' lock in `.crm/lock`: interactive use and cron never write at once.

Readers never take it. A writer waits up to `CRM_LOCK_WAIT` seconds (default 10)
and then gives up with exit 3 rather than hang a cron job.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from crmcli.errors import DataDirError
from crmcli.i18n import _
from crmcli.store.fs import os_error

DEFAULT_WAIT = 10.0


def lock_wait() -> float:
    try:
        return float(os.environ.get("CRM_LOCK_WAIT", DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


@contextlib.contextmanager
def lock_if_free(cache_dir: Path):
    """The writers' lock if no one holds it, without waiting: yields True when held, False
    when another process has it (or it cannot be taken at all)."""
    try:
        handle = open(cache_dir / "lock", "a+")
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        handle.close()


@contextlib.contextmanager
def writer_lock(cache_dir: Path, wait: float | None = None):
    """Hold the exclusive writers' lock for the duration of the block."""
    wait = lock_wait() if wait is None else wait
    try:
        cache_dir.mkdir(exist_ok=True)
        handle = open(cache_dir / "lock", "a+")
    except OSError as error:
        raise os_error(error, cache_dir / "lock") from error
    try:
        deadline = time.monotonic() + wait
        delay = 0.005
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DataDirError(_("{path}: locked by another crm process for more than {wait:g} s").format(
                        path=cache_dir.parent, wait=wait)) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        yield
    finally:
        handle.close()
