"""Shared fixtures: every test gets its own data directory; none can touch a real one.

Time and place are pinned for the whole session before anything is collected
(`pytest_configure`), so a fixture of any scope (module, session) sees the same pinned
"today", time zone, home and git identity as the tests themselves; the per-test autouse
fixture then gives each test its own folders on top.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from crmcli import i18n
from crmcli.store import codec

pytest_plugins = ["gitrepos"]
"""The git fixtures (`repo`, and `plain_git` for every test), found by name like these here."""

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo"
TODAY = "2026-11-22"
NOW = f"{TODAY}T18:00:00"
"""The pinned moment: a day alone would be taken at the real time of day, and what was logged
"now" would sort before or after the demo's records of that day depending on the hour."""
ZONE = "Asia/Shanghai"


settings.register_profile("crm", derandomize=True, print_blob=True)
settings.load_profile("crm")
"""Property tests draw the same examples on every run (derandomized from each test's name);
`--hypothesis-seed=N` explores others, and a failure prints the blob that reproduces it."""


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run the long robustness tests marked slow (fuzzing, 8x100 writers, many kills)")


def hermetic_environment(home: Path) -> dict[str, str]:
    """What every test process, and every process a test starts, runs with: a pinned moment
    and zone, a home and XDG folders of its own, no user or system git configuration, a fixed git
    identity, no editor and a wide terminal."""
    return {
        "CRM_TODAY": NOW,
        "TZ": ZONE,
        "HOME": str(home),
        "CRM_DIR": str(home / "no-data-dir-here"),
        "XDG_DATA_HOME": str(home / "xdg-data"),
        "XDG_CACHE_HOME": str(home / "xdg-cache"),
        "XDG_CONFIG_HOME": str(home / "xdg-config"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "EDITOR": "false",
        "COLUMNS": "200",
        "LANG": "C.UTF-8",
        "CRM_WATCH": "0",
    }


def pytest_configure(config):
    """Pin the environment for the whole session, before collection and before any fixture."""
    if config.getoption("--runslow"):
        os.environ["CRM_RUNSLOW"] = "1"
    home = Path(tempfile.mkdtemp(prefix="crm-tests-home-"))
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    os.environ.update(hermetic_environment(home))
    for name in ("CRM_DEBUG", "NO_COLOR", "VISUAL", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "GIT_DIR", "GIT_WORK_TREE",
                 "CRM_LOCK_WAIT"):
        os.environ.pop(name, None)
    time.tzset()


LONGEST_FIRST = ("test_access.py", "test_hostile_input.py", "test_hostile_repository.py", "test_bad_input.py",
                 "test_hostile_files.py", "test_crash.py")
"""The files that take 30–75 s on one worker (--durations on a loaded 2-core machine), longest
first. The workers take files in collection order (`--no-loadscope-reorder`: xdist would sort
them by their number of tests), two each to start with, so these start first and the many short
files fill the gaps at the end: otherwise a long file collected late runs alone while the other
core idles (the README's walk-through, 4 tests in 77 s, used to)."""


def pytest_collection_modifyitems(config, items):
    first = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))  # stable: a file's own order is kept
    if os.environ.get("CRM_RUNSLOW"):
        return
    skip = pytest.mark.skip(reason="long version: run with --runslow (or CRM_RUNSLOW=1)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def examples(ci: int, slow: int) -> int:
    """How many examples (or runs) a robustness test tries: `CRM_EXAMPLES` when set, else
    `slow` under --runslow, else the bounded `ci` count."""
    if os.environ.get("CRM_EXAMPLES"):
        return int(os.environ["CRM_EXAMPLES"])
    return slow if os.environ.get("CRM_RUNSLOW") else ci


def seed_for(request) -> int:
    """`CRM_TEST_SEED` when set, else a seed fixed by the test's name: the same test draws
    the same values on every run and machine. The seed is shown with any failure."""
    seed = int(os.environ.get("CRM_TEST_SEED") or zlib.crc32(request.node.nodeid.encode()))
    request.node.add_report_section("setup", "seed", f"rerun with CRM_TEST_SEED={seed}")
    return seed


@pytest.fixture
def rng(request) -> random.Random:
    """A random generator seeded by `seed_for`."""
    return random.Random(seed_for(request))


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """On top of the session's pinned environment, give each test its own home, data and
    cache folders (so nothing one test writes is seen by another)."""
    for name, value in hermetic_environment(tmp_path / "home").items():
        if name != "XDG_CACHE_HOME":  # state folders are keyed by each data directory's own path
            monkeypatch.setenv(name, value)
    for name in ("CRM_DEBUG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    yield
    i18n.use("en")  # a command run in this process with --lang zh leaves its language behind


def read_terminal(controller: int) -> bytes:
    """Everything shown on a pseudo-terminal (its controlling end) until the process on the
    other end is done with it; the controller is closed."""
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # Linux says EIO once the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return b"".join(chunks)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        from crmcli.model import jsonish

        return jsonish.loads(self.out)


def run_crm(*args: str, input: str | None = None) -> Result:
    """Run the real `crm` entry point in-process, capturing stdout and stderr apart."""
    from crmcli.cli import run

    runner = CliRunner()
    with runner.isolation(input=input) as (out, err, *_):
        code = run([str(a) for a in args])
        return Result(code, out.getvalue().decode(), err.getvalue().decode())


class DataDir:
    """A data directory in tmp_path and a `crm` bound to it."""

    def __init__(self, root: Path):
        self.root = root

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return run_crm("--data-dir", self.root, *args, input=input)

    def read(self, relative: str) -> dict:
        return codec.decode((self.root / relative).read_bytes())

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def files(self, folder: str) -> list[Path]:
        return sorted((self.root / folder).rglob("*.yaml"))

    @property
    def state(self) -> Path:
        """Where crm keeps this data directory's index, journal and lock (outside the work tree)."""
        from crmcli.store.state import state_dir

        return state_dir(self.root)


@pytest.fixture(scope="session")
def indexed_demo(tmp_path_factory) -> tuple[Path, Path]:
    """examples/demo copied once per session (per worker) with its index built: (the data
    directory, its state folder). Copying both is what makes `demo` cheap."""
    from crmcli import open_repo

    root = tmp_path_factory.mktemp("indexed") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".crm"))
    repo = open_repo(root)
    assert repo.index is not None and not repo.warnings, repo.warnings
    return root, repo.cache_dir


def copy_of_demo(indexed_demo: tuple[Path, Path], target: Path) -> DataDir:
    """A copy of examples/demo at `target`, with a copy of its index (taken over by the first
    command, which compares every file by content and parses none)."""
    from crmcli.store.state import state_dir

    source, index = indexed_demo
    shutil.copytree(source, target)
    shutil.copytree(index, state_dir(target))
    return DataDir(target)


@pytest.fixture
def demo(tmp_path, indexed_demo) -> DataDir:
    """A copy of examples/demo of the test's own (see `copy_of_demo`)."""
    return copy_of_demo(indexed_demo, tmp_path / "demo")


@pytest.fixture
def empty(tmp_path) -> DataDir:
    """A new data directory made by `crm init` (without git, for speed)."""
    target = tmp_path / "data"
    result = run_crm("init", target, "--no-git", "--name", "Test Co", "--me", "li", "--timezone", "Asia/Shanghai")
    assert result.code == 0, result.err
    return DataDir(target)



@pytest.fixture
def mine(demo) -> DataDir:
    """The demo with `me`'s email address in crm.yaml (in upper case: addresses compare without
    case), so mail from it is outgoing (`crm mail`, tests/mails.py)."""
    with open(demo.root / "crm.yaml", "a", encoding="utf-8") as settings:
        settings.write("mail:\n  me: [LI@BRIGHTLINE.EXAMPLE]\n")
    return demo
