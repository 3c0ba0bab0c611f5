"""Every change to the files is seen by the very next command, whether the index is brought up
to date by a scan of every file or by asking the watcher what changed (store/watch.py).

Each case runs twice: `scan` (no watcher, as in every other test) and `watcher` (a watcher
serving from a thread of this process, asked by the commands). Times are set with
os.utime, never read from the clock.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import threading
from pathlib import Path

import pytest

from conftest import DataDir
from gitrepos import git

CUSTOMER = "customers/huaqiang-dianzi.yaml"


@contextlib.contextmanager
def looking_after(data: DataDir, how: str, monkeypatch):
    """`data` with its index up to date, looked after by a scan of every file or by a watcher."""
    if how == "scan":
        assert data("customer", "list").code == 0
        yield data
        return
    from crmcli.store.watch import Watcher

    monkeypatch.setenv("CRM_WATCH", "1")
    data.state.mkdir(parents=True, exist_ok=True)
    watcher = Watcher(data.root, data.state)
    watcher.listen()
    serving = threading.Thread(target=watcher.serve, daemon=True)
    serving.start()
    try:
        assert data("customer", "list").code == 0  # the first look is a full one; it takes the token
        yield data
        assert watcher.changed, "the commands were not answered by the watcher"
    finally:
        watcher.stop()
        serving.join(10)


@pytest.fixture(params=["scan", "watcher"])
def looked_at(request, demo, monkeypatch):
    with looking_after(demo, request.param, monkeypatch) as data:
        yield data


def ids(data: DataDir, *query: str) -> list[str]:
    result = data("search", *query, "--format", "json")
    assert result.code == 0, result.err
    return [hit["record"]["id"] for hit in result.json()]


def same_size_same_times(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` (as long) in place, and put the modification time back to the nanosecond."""
    assert len(old) == len(new)
    before = path.stat()
    with open(path, "r+b") as handle:
        data = handle.read()
        handle.seek(0)
        handle.write(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_an_edit_in_place_of_the_same_size_and_time_is_seen(looked_at):
    same_size_same_times(looked_at.root / CUSTOMER, "electronics", "zanzibarxyz")
    assert ids(looked_at, "zanzibarxyz") == ["huaqiang-dianzi"]


def test_a_save_by_rename_is_seen(looked_at):
    path = looked_at.root / CUSTOMER
    swap = path.with_name(".huaqiang-dianzi.yaml.swp")
    swap.write_text(path.read_text(encoding="utf-8").replace("electronics", "zanzibar"), encoding="utf-8")
    os.utime(swap, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
    os.replace(swap, path)
    assert ids(looked_at, "zanzibar") == ["huaqiang-dianzi"]


def test_a_deletion_is_seen(looked_at):
    assert "huaqiang-dianzi" in ids(looked_at, "kind:customer")
    (looked_at.root / CUSTOMER).unlink()
    assert "huaqiang-dianzi" not in ids(looked_at, "kind:customer")


def test_a_new_folder_and_a_removed_one_are_seen(looked_at):
    folder = looked_at.root / "interactions" / "2019" / "01"
    folder.mkdir(parents=True)
    (folder / "IN-20190101-ZZZZ.yaml").write_text(
        "id: IN-20190101-ZZZZ\nparty: customers/huaqiang-dianzi\ntype: call\ndirection: out\n"
        "at: 2019-01-01T10:00:00+08:00\nsummary: zanzibar call\ncreated: 2019-01-01T10:00:00+08:00\n"
        "updated: 2019-01-01T10:00:00+08:00\n", encoding="utf-8")
    assert not looked_at("customer", "list").err
    assert ids(looked_at, "zanzibar") == ["IN-20190101-ZZZZ"]
    shutil.rmtree(looked_at.root / "interactions" / "2019")
    assert ids(looked_at, "zanzibar") == []


def test_a_clock_gone_backwards_is_seen(looked_at):
    path = looked_at.root / CUSTOMER
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("electronics", "zanzibar"), encoding="utf-8")
    earlier = before.st_mtime_ns - 86_400 * 10**9  # a day before the version the index holds
    os.utime(path, ns=(earlier, earlier))
    assert ids(looked_at, "zanzibar") == ["huaqiang-dianzi"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: an unreadable one needs an unprivileged user")
def test_a_chmod_is_seen(looked_at):
    path = looked_at.root / CUSTOMER
    path.chmod(0)
    try:
        result = looked_at("customer", "list")
        assert "huaqiang-dianzi" in result.err and "permission denied" in result.err.lower()
    finally:
        path.chmod(0o644)
    assert "huaqiang-dianzi" not in looked_at("customer", "list").err


@pytest.mark.parametrize("how", ["scan", "watcher"])
def test_a_git_checkout_and_a_pull_are_seen(repo, how, monkeypatch, tmp_path):
    with looking_after(repo, how, monkeypatch) as data:
        checkout_and_pull(data, tmp_path)


def checkout_and_pull(data: DataDir, tmp_path: Path) -> None:
    path = data.root / CUSTOMER
    path.write_text(path.read_text(encoding="utf-8").replace("electronics", "zanzibar"), encoding="utf-8")
    git(data.root, "commit", "-q", "-am", "zanzibar")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(data.root), str(clone))
    assert ids(data, "zanzibar") == ["huaqiang-dianzi"]
    git(data.root, "checkout", "-q", "HEAD~1")
    assert ids(data, "zanzibar") == []
    git(data.root, "checkout", "-q", "main")
    assert ids(data, "zanzibar") == ["huaqiang-dianzi"]
    pushed = clone / CUSTOMER
    pushed.write_text(pushed.read_text(encoding="utf-8").replace("zanzibar", "quokkas!"), encoding="utf-8")
    git(clone, "commit", "-q", "-am", "quokkas")
    git(data.root, "pull", "-q", "--ff-only", str(clone), "HEAD")
    assert ids(data, "zanzibar") == [] and ids(data, "quokkas") == ["huaqiang-dianzi"]


def test_the_watcher_follows_no_link_out_of_the_data_directory(demo, tmp_path):
    from crmcli.store.watch import Watcher

    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (demo.root / "interactions" / "linked").symlink_to(outside)
    demo.state.mkdir(parents=True, exist_ok=True)
    watcher = Watcher(demo.root, demo.state)
    try:
        assert "interactions" in watcher.folders.values()
        assert not [folder for folder in watcher.folders.values() if "linked" in folder]
    finally:
        watcher.inotify.close()


def test_a_command_starts_a_watcher_that_ends_with_its_data_directory(demo, monkeypatch):
    from crmcli.store.watch import PID, ask

    monkeypatch.setenv("CRM_WATCH", "1")
    assert demo("customer", "list").code == 0  # no watcher yet: it scans, and starts one
    pid_file = demo.state / PID
    assert _within(10, lambda: pid_file.exists() and ask(demo.state, None) is not None)
    pid = int(pid_file.read_text())
    handle = os.pidfd_open(pid)
    try:
        assert demo("customer", "list").code == 0  # takes the token
        same_size_same_times(demo.root / CUSTOMER, "electronics", "zanzibarxyz")
        assert ids(demo, "zanzibarxyz") == ["huaqiang-dianzi"]
        shutil.rmtree(demo.root)
        assert select.select([handle], [], [], 10)[0], "the watcher outlived its data directory"
    finally:
        if not select.select([handle], [], [], 0)[0]:
            os.kill(pid, 15)
        os.close(handle)


def _within(seconds: float, condition) -> bool:
    """Whether `condition` holds within `seconds` (a process started in the background gets ready)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        select.select([], [], [], 0.02)
    return condition()


def test_a_look_through_the_watcher_that_finds_nothing_changed_writes_nothing(demo, monkeypatch):
    """The watcher's token is stored when it changes, not again by every command: a write
    makes the index checkpoint, synced to disk, when the command lets go of it."""
    from crmcli import open_repo

    with looking_after(demo, "watcher", monkeypatch) as data:
        assert data("today").code == 0
        repo = open_repo(data.root)
        try:
            assert repo.index.count() > 0
            assert repo.index.db.total_changes == 0
        finally:
            repo.close()
        same_size_same_times(data.root / CUSTOMER, "electronics", "zanzibarxyz")
        assert ids(data, "zanzibarxyz") == ["huaqiang-dianzi"]


def test_a_commands_own_write_is_not_looked_at_again_but_a_hand_edit_beside_it_is(demo, monkeypatch):
    """After crm writes, the watcher's token moves past its own files, so the next command looks
    at nothing (it had walked every file of the month written); a file someone else changed
    while crm wrote keeps the token where it was, and that change is seen."""
    from crmcli import open_repo
    from crmcli.store import codec

    with looking_after(demo, "watcher", monkeypatch) as data:
        assert data("log", "huaqiang-dianzi", "call", "price agreed").code == 0
        repo = open_repo(data.root)
        try:
            assert repo.index.count() > 0
            assert repo.index.db.total_changes == 0  # nothing to look at: the log was crm's own
        finally:
            repo.close()

        repo = open_repo(data.root)
        try:
            repo.indexed()
            written = data.files("interactions/2026/11")[0]
            relative = written.relative_to(data.root).as_posix()
            record = codec.decode(written.read_bytes())
            record["summary"] = "rewritten by crm"
            written.write_text(written.read_text(encoding="utf-8").replace(
                f"summary: {data.read(relative)['summary']}", "summary: rewritten by crm"), encoding="utf-8")
            repo.index.put(relative, record)  # as the store records what it wrote
            same_size_same_times(data.root / CUSTOMER, "electronics", "zanzibarxyz")  # meanwhile, by hand
        finally:
            repo.close()
        assert ids(data, "zanzibarxyz") == ["huaqiang-dianzi"]
        assert ids(data, "rewritten") == [record["id"]]
