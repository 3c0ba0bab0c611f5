"""Shared fixtures: every test gets its own data directory; none can touch a real one."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmcli.store import codec

pytest_plugins = ["gitrepos"]
"""The git fixtures (`repo`, and `plain_git` for every test), found by name like these here."""

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo"
TODAY = "2026-11-22"


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run the long robustness tests marked slow (fuzzing, 8x100 writers, many kills)")


def pytest_configure(config):
    if config.getoption("--runslow"):
        os.environ["CRM_RUNSLOW"] = "1"


def pytest_collection_modifyitems(config, items):
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


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Point CRM_DIR and XDG at the test's own folder, pin today, and never open an editor."""
    monkeypatch.setenv("CRM_DIR", str(tmp_path / "no-data-dir-here"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("CRM_TODAY", TODAY)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    monkeypatch.delenv("CRM_DEBUG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")


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


@pytest.fixture
def demo(tmp_path) -> DataDir:
    """A copy of examples/demo."""
    target = tmp_path / "demo"
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns(".crm"))
    return DataDir(target)


@pytest.fixture
def empty(tmp_path) -> DataDir:
    """A new data directory made by `crm init` (without git, for speed)."""
    target = tmp_path / "data"
    result = run_crm("init", target, "--no-git", "--name", "Test Co", "--me", "li", "--timezone", "Asia/Shanghai")
    assert result.code == 0, result.err
    return DataDir(target)
