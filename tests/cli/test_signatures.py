"""Signed commits (git's SSH signing) and `crm check --signatures` against the allowed_signers
list kept in the repository; `crm sync` warns about unsigned or unknown commits it pulls."""

import subprocess
from pathlib import Path

import pytest

from conftest import DataDir
from gitrepos import git


def ssh_key(folder: Path, name: str) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@example.com",
                    "-f", str(folder / name)], check=True)
    return folder / name


def signing_as(data: DataDir, key: Path | None) -> None:
    """The user's own git configuration of the clone: sign with `key` (or not at all)."""
    if key is None:
        git(data.root, "config", "--unset", "user.signingkey", check=False)
        return
    git(data.root, "config", "gpg.format", "ssh")
    git(data.root, "config", "user.signingkey", str(key))


@pytest.fixture
def signed(repo, tmp_path):
    """The demo in git with an allowed_signers list naming Li's key; (data, li, mallory, start)."""
    li, mallory = ssh_key(tmp_path, "li"), ssh_key(tmp_path, "mallory")
    (repo.root / "allowed_signers").write_text(f"li@example.com {li.with_suffix('.pub').read_text()}")
    git(repo.root, "add", "allowed_signers")
    git(repo.root, "commit", "-q", "-m", "the team's signing keys")
    return repo, li, mallory, git(repo.root, "rev-parse", "HEAD")


def test_crm_signs_its_commits_with_the_users_key_and_check_accepts_them(signed):
    data, li, _mallory, start = signed
    signing_as(data, li)
    assert data("customer", "edit", "huaqiang", "--set", "industry=cables").code == 0
    allowed = f"gpg.ssh.allowedSignersFile={data.root / 'allowed_signers'}"
    assert git(data.root, "-c", allowed, "log", "-1", "--format=%G? %GS") == "G li@example.com"
    result = data("check", "--signatures", "--since", start)
    assert result.code == 0, result.out + result.err
    assert "no problems found" in result.err


def test_unsigned_and_unknown_commits_are_each_one_line_and_exit_1(signed):
    data, li, mallory, start = signed
    signing_as(data, mallory)
    assert data("customer", "edit", "huaqiang", "--set", "industry=mallory").code == 0
    signing_as(data, None)
    assert data("customer", "edit", "huaqiang", "--set", "industry=nobody").code == 0
    signing_as(data, li)
    assert data("customer", "edit", "huaqiang", "--set", "industry=li").code == 0
    result = data("check", "--signatures", "--since", start)
    assert result.code == 1
    lines = result.out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(": not signed")
    assert lines[1].endswith("signed by a key that is not in allowed_signers")


def test_sync_warns_about_the_unsigned_commits_it_pulls(signed, tmp_path):
    data, li, _mallory, _start = signed
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(data.root, "remote", "add", "origin", str(remote))
    git(data.root, "push", "-q", "-u", "origin", "main")
    git(tmp_path, "clone", "-q", str(remote), "other")
    other = DataDir(tmp_path / "other")
    assert other("customer", "edit", "huaqiang", "--set", "industry=unsigned").code == 0
    assert other("sync").code == 0
    pulled = data("sync")
    assert pulled.code == 0, pulled.err
    assert "pulled an unsigned or unknown commit" in pulled.err and "not signed" in pulled.err
