"""Real git repositories for tests: a data directory committed to git, a bare remote and clones.

Git runs with no system or global config (a developer's `commit.gpgsign` or hooks path
must not change what the tests see); the identity comes from conftest's environment.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import DataDir


def git(cwd: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr}")
    return result.stdout.rstrip("\n")


@pytest.fixture(autouse=True)
def plain_git(monkeypatch, tmp_path):
    """Every test (conftest loads this module as a plugin) runs git without the developer's config."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))


def committed(data: DataDir) -> DataDir:
    """`data` as a git repository on `main` holding all its files in one commit, set up by
    `crm git install-hooks` (which commits `.gitattributes`)."""
    git(data.root, "init", "-q", "-b", "main")
    git(data.root, "add", "-A")
    git(data.root, "commit", "-q", "-m", "the data as it was")
    result = data("git", "install-hooks")
    assert result.code == 0, result.err
    return data


FIRST_COMMITS = "2026-01-05T09:00:00+08:00"


@pytest.fixture
def repo(demo, monkeypatch) -> DataDir:
    """The demo data directory in a git repository, its first commits dated FIRST_COMMITS."""
    with monkeypatch.context() as dated:
        dated.setenv("GIT_AUTHOR_DATE", FIRST_COMMITS)
        dated.setenv("GIT_COMMITTER_DATE", FIRST_COMMITS)
        return committed(demo)


@pytest.fixture
def clones(tmp_path, repo) -> tuple[DataDir, DataDir]:
    """Two fresh clones, `a` and `b`, of a bare remote holding `repo`: as `git clone` leaves
    them, without crm's merge driver and hook until a crm command runs there."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(repo.root, "remote", "add", "origin", str(remote))
    git(repo.root, "push", "-q", "-u", "origin", "main")
    for name in ("a", "b"):
        git(tmp_path, "clone", "-q", str(remote), name)
    return DataDir(tmp_path / "a"), DataDir(tmp_path / "b")


def head_files(data: DataDir) -> list[str]:
    """The files the last commit changed."""
    return git(data.root, "show", "--name-only", "--format=", "HEAD").splitlines()


def subject(data: DataDir) -> str:
    return git(data.root, "log", "-1", "--format=%s")


def refuse_commits(data: DataDir) -> None:
    """A hook that refuses to move the branch: every commit fails, after crm wrote its files."""
    hook = data.root / ".git" / "hooks" / "reference-transaction"
    hook.write_text('#!/bin/sh\n[ "$1" = prepared ] && { echo "refused by policy" >&2; exit 1; }\nexit 0\n')
    hook.chmod(0o755)
