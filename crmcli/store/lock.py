"""The writers' lock in the derived-state folder: interactive use and cron never write at once,
and writers take turns in the order they came.

Exclusion is one `flock` on `lock`. The kernel drops it when its holder dies, so a killed
writer never leaves the data directory locked. The order is a queue beside it: each writer
waiting for (or holding) the lock keeps a numbered ticket, `queue/<number>-<token>`, flocked
for as long as the writer lives, and takes the lock only once no live ticket numbered below
its own is left. A ticket whose flock is free belongs to a dead process and counts for
nothing (old ones are cleared). The queue decides only the order, never the exclusion: if it
is damaged or deleted, writers still exclude each other through `lock`.

A waiter gives up (exit 3) only when the queue ahead of it has not moved for `CRM_LOCK_WAIT`
seconds (default 10): a long line of writers that each do a little is waited out however
long it is, and a holder stuck for that long is not. Readers never take the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import math
import os
import re
import time
from pathlib import Path

from crmcli.errors import DataDirError
from crmcli.i18n import _
from crmcli.store.fs import os_error

DEFAULT_WAIT = 10.0
LONGEST_WAIT = 86400.0
"""A day: a wait longer than that is a typo, not a plan."""
QUEUE = "queue"
TICKET = re.compile(r"(\d{1,20})-([0-9a-f]{16})")
MOST_TICKETS = 4096
"""Tickets read from the queue folder, at most: the folder is not trusted to be small."""
STALE_AFTER = 60.0
"""Seconds after which a dead writer's ticket is cleared (younger ones may still be being made)."""
POLL = 0.05


def lock_wait() -> float:
    """`CRM_LOCK_WAIT` in seconds: a finite number from 0 to a day, else a DataDirError. It is
    exit 3 like a lock held past the wait, because it is the lock that cannot be waited for,
    and the data directory stays readable; it is no usage error (exit 2 is Typer's, for the
    command line), and a cron job retrying on "locked" does not spin on it: the line says
    what to set instead."""
    text = os.environ.get("CRM_LOCK_WAIT")
    if text is None:
        return DEFAULT_WAIT
    try:
        wait = float(text)
    except ValueError:
        wait = math.nan
    if not 0 <= wait <= LONGEST_WAIT:  # also refuses nan and inf
        raise DataDirError(_("CRM_LOCK_WAIT={value!r}: not a number of seconds from 0 to {most:g}; "
                             "unset it for the default {default:g}").format(value=text, most=LONGEST_WAIT,
                                                                           default=DEFAULT_WAIT))
    return wait


def _open_lock(cache_dir: Path):
    """The lock file, never through a link (the state folder is ours, but no link is followed)."""
    return os.fdopen(os.open(cache_dir / "lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600), "a+")


@contextlib.contextmanager
def lock_if_free(cache_dir: Path):
    """The writers' lock if no one holds it, without waiting: yields True when held, False
    when another process has it (or it cannot be taken at all)."""
    try:
        handle = _open_lock(cache_dir)
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
def writer_lock(cache_dir: Path, data_dir: Path, wait: float | None = None):
    """Hold the exclusive writers' lock (kept in `cache_dir`, the state folder of `data_dir`)
    for the duration of the block, after the writers that came first (see the module's docstring)."""
    wait = lock_wait() if wait is None else wait
    try:
        cache_dir.mkdir(exist_ok=True)
        handle = _open_lock(cache_dir)
    except OSError as error:
        raise os_error(error, cache_dir / "lock") from error
    try:
        with _ticket(cache_dir / QUEUE) as mine:
            moved, seen = time.monotonic(), None
            while True:
                ahead = _live_before(cache_dir / QUEUE, mine)
                if not ahead and _try_lock(handle):
                    break
                if ahead != seen:
                    moved, seen = time.monotonic(), ahead
                elif time.monotonic() - moved >= wait:
                    raise DataDirError(_("{path}: locked by another crm process that has not moved on for {wait:g} s")
                                       .format(path=data_dir, wait=wait))
                time.sleep(POLL)
            yield
    finally:
        handle.close()


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def _ticket(queue: Path):
    """This writer's place in the queue: a ticket numbered after every one there, flocked
    before it is given its name (so no one sees it unlocked and takes it for a dead one's),
    and removed when the writer is done. Yields (number, token), which orders the tickets."""
    token = os.urandom(8).hex()
    draft, fd = queue / f".draft-{token}", None
    try:
        queue.mkdir(mode=0o700, exist_ok=True)
        if queue.is_symlink():
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        number = max((number for number, _token, _name in _tickets(queue)), default=0) + 1
        ticket = queue / f"{number}-{token}"
        os.rename(draft, ticket)
    except OSError as error:
        _drop(fd, draft)
        raise os_error(error, queue) from None
    try:
        yield number, token
    finally:
        _drop(fd, ticket)


def _drop(fd: int | None, path: Path) -> None:
    """Give a ticket back: its file goes first, then its flock."""
    with contextlib.suppress(OSError):
        os.unlink(path)
    if fd is not None:
        os.close(fd)


def _tickets(queue: Path) -> list[tuple[int, str, str]]:
    """(number, token, file name) of the tickets in the queue folder, at most MOST_TICKETS."""
    found = []
    with os.scandir(queue) as entries:
        for entry in entries:
            matched = TICKET.fullmatch(entry.name)
            if matched:
                found.append((int(matched[1]), matched[2], entry.name))
                if len(found) >= MOST_TICKETS:
                    break
    return found


def _live_before(queue: Path, mine: tuple[int, str]) -> frozenset[str]:
    """The tickets ahead of `mine` whose writers are alive (their flock is held). A dead
    writer's ticket is skipped, and removed once it is old."""
    try:
        tickets = _tickets(queue)
    except OSError:
        return frozenset()  # the queue is gone: the lock alone decides
    ahead = set()
    for number, token, name in tickets:
        if (number, token) < mine and _alive(queue / name):
            ahead.add(name)
    return frozenset(ahead)


def _alive(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        if time.time() - path.stat().st_mtime > STALE_AFTER:
            path.unlink()
    return False
