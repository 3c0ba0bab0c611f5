"""Crash safety (issue 10, item 4): a writer killed with SIGKILL at any moment leaves every
file as it was or as intended, never partial; the index recovers; `crm check` is clean.

Each run starts the real entry point (`crmcli.cli.main`) in a new process and kills it:
- at a chosen step: just before or just after its n-th fsync, rename or unlink, every
  step of every command in turn (a small hook in the child counts them), and
- at a random moment, with each fsync slowed down so that a random moment falls inside
  the write often enough.
Afterwards every record file parses (none is half-written), and the command's changes
are all there or none is: a contract and its document, a party and every record removed
with it. A read command then runs (and with it any recovery), and its listing must agree
with the files. CI runs about 60 kills, `--runslow` several hundred.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import DataDir, examples, run_crm
from crmcli.store import codec
from robust import snapshot

CHILD = r"""
import atexit, os, signal, sys, time
point, slow = int(os.environ.get("KILL_AT") or 0), float(os.environ.get("SLOW_FSYNC") or 0)
steps = [0]
def counted(name, real):
    def call(*args, **kwargs):
        for moment in ("before", "after"):
            steps[0] += 1
            if steps[0] == point:
                os.kill(os.getpid(), signal.SIGKILL)
            if moment == "before":
                if slow and name == "fsync":
                    time.sleep(slow)
                result = real(*args, **kwargs)
        return result
    return call
for name in ("fsync", "replace", "rename", "unlink"):
    setattr(os, name, counted(name, getattr(os, name)))
atexit.register(lambda: os.write(2, f"\nsteps={steps[0]}\n".encode()))
from crmcli.cli import main
main(sys.argv[1:])
"""


def start(root: Path, args: list[str], *, kill_at: int = 0, slow: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "KILL_AT": str(kill_at), "SLOW_FSYNC": str(slow), "CRM_DIR": str(root)}
    return subprocess.Popen([sys.executable, "-c", CHILD, "--data-dir", str(root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def shape(before: dict[str, bytes], after: dict[str, bytes]) -> tuple:
    """What a command changed, independent of random ids: files added per folder, files
    removed, files changed."""
    added = Counter(path.rsplit("/", 1)[0] for path in after.keys() - before.keys())
    removed = frozenset(before.keys() - after.keys())
    changed = frozenset(path for path in before.keys() & after.keys() if before[path] != after[path])
    return tuple(sorted(added.items())), removed, changed


COMMANDS = {
    "log": ["log", "huaqiang", "call", "crash test", "--next", "follow up", "--due", "+2d"],
    "order": ["order", "add", "huaqiang", "--line", "Crash widget 2 @ 10", "--status", "confirmed"],
    "pay": ["pay", "{order}", "1.50", "--ref", "crash"],
    "edit": ["customer", "edit", "huaqiang", "--set", "industry=crashed", "--add-tag", "crash"],
    "contact": ["contact", "add", "jinglian", "Crash Person", "--title", "tester"],
    "contract": ["contract", "new", "huaqiang", "--template", "framework-agreement", "--title", "Crash contract"],
    "remove": ["customer", "rm", "harbor-lane-retail", "--force"],
    "reminder": ["remind", "done", "RM-20261110-Z1TE"],
}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A demo with an open order to pay, its files, and what each command changes when it runs
    to the end (from a copy, in-process)."""
    return _baseline(tmp_path_factory)


def _baseline(tmp_path_factory):
    import shutil

    from conftest import DEMO

    root = tmp_path_factory.mktemp("crash") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".crm"))
    made = run_crm("--data-dir", root, "order", "add", "huaqiang", "--line", "Crash base 1 @ 1000",
                   "--status", "confirmed")
    assert made.code == 0, made.err
    commands = {name: [part.replace("{order}", made.out.strip()) for part in args] for name, args in COMMANDS.items()}
    files = snapshot(root)
    intended = {}
    for name, args in commands.items():
        copy = tmp_path_factory.mktemp(f"full-{name}") / "demo"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".crm"))
        result = run_crm("--data-dir", copy, *args)
        assert result.code == 0, (name, result.err)
        intended[name] = shape(files, snapshot(copy))
    return DataDir(root), commands, files, intended


def restore(root: Path, files: dict[str, bytes]) -> None:
    """Put the data directory back as it was (the index is left to recover on its own)."""
    now = snapshot(root)
    for relative in now.keys() - files.keys():
        (root / relative).unlink()
    for relative, content in files.items():
        if now.get(relative) != content:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(content)
    for leftover in root.rglob(".crm-tmp-*"):
        leftover.unlink()


def assert_whole(data: DataDir, files: dict[str, bytes], intended: tuple, what: str) -> None:
    """Right after a kill, every record file reads (none is half-written; temporary files are
    hidden); after the next command, the command happened completely or not at all, nothing of
    it is left behind, and the index agrees with the files."""
    for relative, content in snapshot(data.root).items():
        if relative.endswith(".yaml") and content != files.get(relative) and "/.crm-tmp-" not in relative:
            codec.decode(content)  # raises if half-written
    listed = data("customer", "list", "--format", "json")
    assert listed.code == 0 and "Traceback" not in listed.err, listed.err
    after = snapshot(data.root)
    assert shape(files, after) in (intended, ((), frozenset(), frozenset())), (what, shape(files, after))
    assert not (data.state / "journal").exists()
    assert len(listed.json()) == len([p for p in after if p.startswith("customers/") and p.endswith(".yaml")])
    timeline = data("timeline", "--format", "json")
    assert len(timeline.json()) == len([p for p in after if p.startswith("interactions/")]), what


def steps_to_kill(baseline, each: int, rng: random.Random) -> list[tuple[str, int]]:
    """(command, step) pairs: `each` steps of each command (all of them when `each` is 0),
    always including its first and last."""
    data, commands, files, _ = baseline
    runs = []
    for name, args in commands.items():
        child = start(data.root, args)
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        steps = int(err.rsplit("steps=", 1)[1])
        restore(data.root, files)
        chosen = set(range(1, steps + 1)) if not each or steps <= each else \
            {1, steps, *rng.sample(range(2, steps), each - 2)}
        runs += [(name, step) for step in sorted(chosen)]
    return runs


def test_a_writer_killed_at_every_step_leaves_whole_files(baseline, rng):
    data, commands, files, intended = baseline
    for name, step in steps_to_kill(baseline, examples(4, 0), rng):
        child = start(data.root, commands[name], kill_at=step)
        child.communicate(timeout=120)
        assert child.returncode in (-signal.SIGKILL, 0), (name, step, child.returncode)
        assert_whole(data, files, intended[name], f"{name} killed at step {step}")
        restore(data.root, files)
    assert data("check").code == 0


def duration(data: DataDir, args: list[str], files: dict[str, bytes]) -> float:
    """How long a command takes here, now, run to the end (then undone)."""
    started = time.monotonic()
    child = start(data.root, args, slow=SLOW)
    child.communicate(timeout=120)
    restore(data.root, files)
    return time.monotonic() - started


SLOW = 0.02


def test_a_writer_killed_at_random_moments_leaves_whole_files(baseline, rng):
    """Kills fall in the second half of each command's measured run, where its writes are
    (the first half is mostly the interpreter starting). Where exactly a kill lands depends on
    the machine's speed, so nothing is asserted about how many runs were cut short: every
    run, killed or finished, must leave the data whole, and the step-by-step test above is
    the one that reaches every step for certain."""
    data, commands, files, intended = baseline
    runs = examples(8, 300)
    took = {name: duration(data, args, files) for name, args in commands.items()}
    for run in range(runs):
        name = rng.choice(sorted(commands))
        child = start(data.root, commands[name], slow=SLOW)
        time.sleep(rng.uniform(0.4, 1.05) * took[name])
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=120)
        assert child.returncode in (-signal.SIGKILL, 0), (name, run, child.returncode)
        assert_whole(data, files, intended[name], f"{name} killed at random (run {run})")
        if run % 6 == 5:
            check = data("check")
            assert check.code == 0, check.out
        restore(data.root, files)
    assert data("check").code == 0


def write_journal(path: Path, entries: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{json.dumps(entry)}\n" for entry in entries))


def test_a_journal_pulled_into_the_work_tree_is_never_replayed(demo):
    """`git add -f .crm/journal` puts a journal in everyone's work tree; crm keeps its own
    outside the work tree (in the state folder), so that one is never read."""
    (demo.root / "customers" / ".crm-tmp-evil.yaml").write_text("id: evil\n")
    write_journal(demo.root / ".crm" / "journal", [
        {"temp": "customers/.crm-tmp-evil.yaml", "target": "customers/huaqiang-dianzi.yaml"},
        {"commit": True, "remove": ["crm.yaml", "customers/jinglian.yaml"]}])
    before = snapshot(demo.root)
    for args in (["customer", "list"], ["log", "huaqiang", "call", "after the pull"]):
        result = demo(*args)
        assert result.code == 0 and "Traceback" not in result.err, result.err
    after = snapshot(demo.root)
    assert {path: after[path] for path in before} == before


@pytest.mark.parametrize("entries", [
    [{"temp": "../victim.txt", "target": "customers/x.yaml"}],
    [{"temp": "customers/.crm-tmp-x.yaml", "target": "../victim.txt"}, {"commit": True}],
    [{"temp": "customers/.crm-tmp-x.yaml", "target": "crm.yaml"}, {"commit": True}],
    [{"temp": "customers/.crm-tmp-x.yaml", "target": ".git/config"}, {"commit": True}],
    [{"commit": True, "remove": ["../victim.txt", "/tmp/victim.txt", "crm.yaml/../../victim.txt", "crm.yaml",
                                 ".gitignore", "templates/framework-agreement.md"]}],
], ids=["temp outside", "target outside", "target crm.yaml", "target .git", "removals"])
def test_a_journal_naming_anything_but_record_files_touches_nothing(demo, tmp_path, entries):
    """Even crm's own journal (in the state folder, where git cannot put one) is confined to
    the places crm writes: record folders, attachments/ and .gitattributes (and crm.yaml, from its
    own temporary file beside it only: `crm access`)."""
    outside = tmp_path / "victim.txt"
    outside.write_text("keep me\n")
    (demo.root / "customers" / ".crm-tmp-x.yaml").write_text("id: x\n")
    before = snapshot(demo.root)
    write_journal(demo.state / "journal", entries)
    result = demo("customer", "list")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    assert outside.read_text() == "keep me\n"
    after = snapshot(demo.root)
    assert {path: content for path, content in after.items() if ".crm-tmp-" not in path} == \
        {path: content for path, content in before.items() if ".crm-tmp-" not in path}
    assert not (demo.state / "journal").exists()
