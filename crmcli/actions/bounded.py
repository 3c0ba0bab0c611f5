"""Running untrusted work (a template from git) in a child process with bounded time and memory.

Jinja2's sandbox stops a template from reaching what it should not, but not from looping
for hours (the sandbox bounds one `range`, not two nested ones) or growing a text until memory
runs out through a filter. A forked child with a CPU and an address-space limit, watched
by a wall clock, stops all of these alike; the parent only reads its answer from a pipe.
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time

from crmcli.errors import CrmError, InvalidValue, NotFound
from crmcli.i18n import _

SECONDS = 10
"""Wall-clock seconds the work may take (its CPU limit is a second more, for a child left alone)."""
HEADROOM = 512 * 1024 * 1024
"""Bytes of memory the child may use beyond what the parent already holds."""
ANSWERS = {"InvalidValue": InvalidValue, "NotFound": NotFound}


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(work, writer: int, seconds: int) -> None:
    """Run `work` under the limits and write (kind, payload, where) to `writer`; never returns."""
    status = 0
    try:
        # a second past the wall clock's limit: the parent stops a busy child first, with its
        # reason (the two at one second raced); this stops one whose parent is gone
        resource.setrlimit(resource.RLIMIT_CPU, (seconds + 1, seconds + 2))
        limit = _address_space() + HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        answer: tuple[str, str, str | None]
        try:
            answer = ("text", work(), None)
        except CrmError as error:
            answer = (type(error).__name__, error.message, error.where)
        except MemoryError:
            answer = ("InvalidValue", _("it needs more than {size} MiB of memory").format(size=HEADROOM >> 20), None)
        data = pickle.dumps(answer)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def run_bounded(work, what: str, seconds: int = SECONDS) -> str:
    """The text `work()` returns, computed in a child process with at most `seconds` of time and
    HEADROOM of extra memory; a CrmError it raises is raised here, anything else that stops it
    becomes one InvalidValue naming `what` (a template's path)."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows: no child, the sandbox alone
        return work()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        _child(work, writer, seconds)
    os.close(writer)
    chunks, deadline = [], time.monotonic() + seconds
    waiting = select.poll()  # not select(): it refuses a descriptor above 1023, which a long-lived caller may have
    waiting.register(reader, select.POLLIN)
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not waiting.poll(left * 1000):
                os.kill(child, signal.SIGKILL)
                raise InvalidValue(_("took longer than {seconds} seconds; stopped").format(seconds=seconds),
                                   where=what)
            chunk = os.read(reader, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(reader)
        os.waitpid(child, 0)
    if not chunks:
        raise InvalidValue(_("stopped: it ran out of time or memory"), where=what)
    kind, payload, where = pickle.loads(b"".join(chunks))
    if kind == "text":
        return payload
    raise ANSWERS.get(kind, InvalidValue)(payload, where=where or what)
