"""The writers' lock is fair and waits on progress (issue 16, item 7): writers are served in
the order they came, a line of writers that keeps moving is waited out however long it is,
and only a holder that has not moved on for CRM_LOCK_WAIT seconds makes a writer give up."""

import multiprocessing
import os
import signal
import time

import pytest

from conftest import run_crm
from crmcli import open_repo
from crmcli.store.lock import QUEUE, writer_lock

CONTEXT = multiprocessing.get_context("fork")


def _hold(cache_dir, seconds: float, name: str, served) -> None:
    """A writer that keeps the lock for `seconds` once it gets it, noting its turn."""
    with writer_lock(cache_dir, cache_dir.parent):
        served.put(name)
        time.sleep(seconds)


def _log(root, summary: str, results) -> None:
    result = run_crm("--data-dir", root, "log", "huaqiang", "call", summary)
    results.put((summary, result.code, result.err))


def _queued(cache_dir, count: int) -> None:
    """Wait until `count` writers hold a place in the queue (so the next one comes after them)."""
    deadline = time.monotonic() + 60
    queue = cache_dir / QUEUE
    while not queue.is_dir() or len([name for name in os.listdir(queue) if not name.startswith(".")]) < count:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_queue_that_keeps_moving_is_waited_out_in_arrival_order(demo, monkeypatch):
    monkeypatch.setenv("CRM_LOCK_WAIT", "1")
    cache_dir = open_repo(demo.root).cache_dir
    served, results = CONTEXT.Queue(), CONTEXT.Queue()
    holders = []
    for n in range(5):  # each holds it for 0.6 s: the last waits about 3 s in all, three times the wait
        holders.append(CONTEXT.Process(target=_hold, args=(cache_dir, 0.6, f"holder {n}", served)))
        holders[-1].start()
        _queued(cache_dir, n + 1)
    writer = CONTEXT.Process(target=_log, args=(demo.root, "after the holders", results))
    writer.start()
    for process in [*holders, writer]:
        process.join(timeout=120)
    assert [process.exitcode for process in [*holders, writer]] == [0] * 6
    assert [served.get(timeout=5) for _ in holders] == [f"holder {n}" for n in range(5)]
    assert results.get(timeout=5) == ("after the holders", 0, "")
    assert demo("timeline", "after the holders", "--format", "json").json()


def test_a_holder_that_does_not_move_on_makes_a_writer_give_up_with_exit_3(demo, monkeypatch):
    monkeypatch.setenv("CRM_LOCK_WAIT", "1")
    before = len(demo.files("interactions"))
    with writer_lock(open_repo(demo.root).cache_dir, demo.root):
        refused = demo("log", "huaqiang", "call", "waited")
        assert demo("customer", "list").code == 0  # readers never wait
    assert (refused.code, refused.err) == (
        3, f"crm: {demo.root}: locked by another crm process that has not moved on for 1 s\n")
    assert len(demo.files("interactions")) == before


def test_a_killed_holder_and_its_place_in_the_queue_hold_no_one_up(demo, monkeypatch):
    monkeypatch.setenv("CRM_LOCK_WAIT", "1")
    cache_dir = open_repo(demo.root).cache_dir
    served = CONTEXT.Queue()
    holder = CONTEXT.Process(target=_hold, args=(cache_dir, 600, "holder", served))
    holder.start()
    assert served.get(timeout=60) == "holder"
    os.kill(holder.pid, signal.SIGKILL)
    holder.join()
    logged = demo("log", "huaqiang", "call", "after a kill")
    assert (logged.code, logged.err) == (0, "")


@pytest.mark.parametrize("wait", ["nan", "inf", "-inf", "-1", "ten", "", "1e9"])
def test_a_lock_wait_that_is_not_a_number_of_seconds_is_refused(demo, monkeypatch, wait):
    monkeypatch.setenv("CRM_LOCK_WAIT", wait)
    refused = demo("log", "huaqiang", "call", "x")
    assert (refused.code, refused.err) == (
        3, f"crm: CRM_LOCK_WAIT={wait!r}: not a number of seconds from 0 to 86400; unset it for the default 10\n")
    assert demo("customer", "list").code == 0
