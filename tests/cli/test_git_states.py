"""Writes wait for the user's git (issue 16, item 4): refused mid-merge, -rebase, -cherry-pick,
-revert and -bisect and on a detached HEAD, so that git's own continue, abort or checkout
never silently drops what crm wrote. Reads keep working. Every state is made with real git."""

import os
import signal
import subprocess
import sys
import time

import pytest

from crmcli import open_repo
from crmcli.store.pending import MARK
from gitrepos import git, refuse_commits, subject

ORDER = "SO-20261116-A9A3"
ORDER_FILE = f"orders/2026/{ORDER}.yaml"
PARTY_FILE = "customers/huaqiang-dianzi.yaml"


def _set_industry(data, value: str) -> None:
    """Commit a change of huaqiang's industry line, by hand as a person would."""
    path = data.root / PARTY_FILE
    lines = [f"industry: {value}" if line.startswith("industry:") else line for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")
    git(data.root, "commit", "-q", "-am", f"industry {value}")


def _conflicting_branches(data) -> None:
    """`side` and `main` each change the same line of a record differently."""
    git(data.root, "branch", "side")
    _set_industry(data, "cable")
    git(data.root, "switch", "-q", "side")
    _set_industry(data, "wire")
    git(data.root, "switch", "-q", "main")


def _stop(data, operation: str) -> None:
    """Leave git stopped in the middle of `operation`, at a real conflict."""
    _conflicting_branches(data)
    if operation == "merge":
        git(data.root, "merge", "side", check=False)
    elif operation == "rebase":
        git(data.root, "switch", "-q", "side")
        git(data.root, "rebase", "main", check=False)
    elif operation == "cherry-pick":
        git(data.root, "cherry-pick", "side", check=False)
    elif operation == "revert":
        _set_industry(data, "fibre")
        git(data.root, "revert", "--no-edit", "HEAD~1", check=False)
    else:
        git(data.root, "bisect", "start", "HEAD", "HEAD~2")


FINISH = {
    "merge": "a merge is in progress in {tree}: finish it (git commit) or abort it (git merge --abort)",
    "rebase": "a rebase is in progress in {tree}: finish it (git rebase --continue) or abort it (git rebase --abort)",
    "cherry-pick": "a cherry-pick is in progress in {tree}: finish it (git cherry-pick --continue) "
                   "or abort it (git cherry-pick --abort)",
    "revert": "a revert is in progress in {tree}: finish it (git revert --continue) or abort it (git revert --abort)",
    "bisect": "a bisect is in progress in {tree}: end it (git bisect reset)",
}
ABORT = {"merge": ["merge", "--abort"], "rebase": ["rebase", "--abort"], "cherry-pick": ["cherry-pick", "--abort"],
         "revert": ["revert", "--abort"], "bisect": ["bisect", "reset"]}


@pytest.mark.parametrize("operation", FINISH)
def test_a_write_mid_operation_is_refused_and_the_abort_keeps_everything(repo, operation):
    _stop(repo, operation)
    head, order = git(repo.root, "rev-parse", "HEAD"), repo.text(ORDER_FILE)
    refused = repo("pay", ORDER, "100", "--ref", "during")
    assert (refused.code, refused.err.splitlines()[0]) == (  # then maybe a warning about the conflicted file
        3, "crm: " + FINISH[operation].format(tree=repo.root.resolve()) + ", then run the command again")
    assert repo.text(ORDER_FILE) == order and git(repo.root, "rev-parse", "HEAD") == head
    assert repo("--no-commit", "log", "muller-elektrotechnik", "call", "x").code == 3  # not committing: the same
    assert repo("undo").code == 3
    shown = repo("order", "show", ORDER, "--format", "json")  # reads keep working
    assert shown.code == 0 and shown.json()["id"] == ORDER

    git(repo.root, *ABORT[operation])
    assert repo("pay", ORDER, "100", "--ref", "after").code == 0
    assert subject(repo) == f"pay: 100.00 CNY received on {ORDER}" and git(repo.root, "status", "--porcelain") == ""
    assert [payment["ref"] for payment in repo.read(ORDER_FILE)["payments"]][-1:] == ["after"]


def test_a_write_while_a_rebase_is_stopped_is_refused_even_without_autocommit(repo):
    config = repo.root / "crm.yaml"
    config.write_text(config.read_text().replace("autocommit: true", "autocommit: false"))
    git(repo.root, "commit", "-q", "-am", "no autocommit")
    _stop(repo, "rebase")
    refused = repo("pay", ORDER, "100")
    assert refused.code == 3 and refused.err.startswith("crm: a rebase is in progress in ")


def test_on_a_detached_head_a_commit_is_refused_and_an_uncommitted_write_follows_the_checkout(repo):
    git(repo.root, "switch", "-q", "--detach")
    head, order = git(repo.root, "rev-parse", "HEAD"), repo.text(ORDER_FILE)
    refused = repo("pay", ORDER, "100", "--ref", "detached")
    assert (refused.code, refused.err) == (
        3, f"crm: HEAD is detached in {repo.root.resolve()}: check out a branch (git switch BRANCH), or write without "
           "committing (crm --no-commit …), then run the command again\n")
    assert repo.text(ORDER_FILE) == order and git(repo.root, "rev-parse", "HEAD") == head

    assert repo("--no-commit", "pay", ORDER, "100", "--ref", "kept").code == 0
    git(repo.root, "switch", "-q", "main")
    assert git(repo.root, "status", "--porcelain") == f" M {ORDER_FILE}"
    assert [payment["ref"] for payment in repo.read(ORDER_FILE)["payments"]][-1:] == ["kept"]


# A commit that failed leaves a mark: the next command commits those files, so that
# `crm history` shows them and `crm undo` reverts the right command.

def test_a_commit_refused_by_a_hook_is_made_by_the_next_command_and_shown_by_history(repo):
    head = git(repo.root, "rev-parse", "HEAD")
    refuse_commits(repo)
    paid = repo("pay", ORDER, "100", "--ref", "hooked")
    assert paid.code == 0 and git(repo.root, "rev-parse", "HEAD") == head
    assert paid.err.startswith("warning: written but not committed: git update-ref failed: ")
    assert paid.err.endswith("; the next crm command that writes commits it\n")
    still = repo("history", "--since", "1d", "--format", "json")
    assert still.code == 0 and "written but not committed" in still.err

    (repo.root / ".git" / "hooks" / "reference-transaction").unlink()
    recent = repo("history", "--since", "1d", "--format", "json")
    assert (recent.code, recent.err) == (0, "")
    assert recent.json()[0]["message"] == f"pay: 100.00 CNY received on {ORDER}"
    assert recent.json()[0]["changes"] == [f"changed {ORDER_FILE}"]
    assert "Crm-Command: pay" in git(repo.root, "log", "-1", "--format=%B")
    assert git(repo.root, "status", "--porcelain") == ""


def test_commands_written_without_git_are_committed_in_order_once_git_is_back(repo, monkeypatch, tmp_path):
    path = str(tmp_path / "no-git")
    with monkeypatch.context() as no_git:
        no_git.setenv("PATH", path)
        assert "written but not committed: git is not installed" in repo("pay", ORDER, "100").err
        assert "written but not committed: git is not installed" in repo("customer", "edit", "huaqiang", "--add-tag", "later").err
    assert repo("log", "muller-elektrotechnik", "call", "git is back").code == 0
    assert git(repo.root, "log", "-3", "--format=%s").splitlines() == [
        "log: call with Müller Elektrotechnik GmbH — git is back", "customer: edit 深圳市华强电子有限公司 (+later)",
        f"pay: 100.00 CNY received on {ORDER}"]
    assert git(repo.root, "status", "--porcelain") == ""


def test_after_a_kill_between_writing_and_committing_undo_reverts_the_killed_command(repo):
    """The hook stands in for the moment between the file writes and the commit: crm is killed
    there, and git's branch lock is left behind as a real kill leaves it."""
    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    before = git(repo.root, "rev-parse", "HEAD")
    started = repo.root.parent / "hook-started"
    hook = repo.root / ".git" / "hooks" / "reference-transaction"
    hook.write_text(f'#!/bin/sh\n[ "$1" = prepared ] && {{ touch "{started}"; sleep 600; }}\nexit 0\n')
    hook.chmod(0o755)
    crm = subprocess.Popen([sys.executable, "-m", "crmcli", "--data-dir", str(repo.root), "log",
                            "muller-elektrotechnik", "call", "killed"], start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not started.exists():
        assert crm.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(crm.pid, signal.SIGKILL)
    crm.wait()
    hook.unlink()
    [logged] = [p for p in repo.files("interactions") if repo.read(str(p.relative_to(repo.root)))["summary"] == "killed"]
    assert git(repo.root, "rev-parse", "HEAD") == before

    locked = repo("undo")  # the branch lock the kill left: the killed command cannot be committed yet
    assert locked.code == 1 and locked.err.startswith("crm: the last command's files are written but not committed (")
    assert git(repo.root, "rev-parse", "HEAD") == before and logged.exists()
    for leftover in (repo.root / ".git").rglob("*.lock"):
        leftover.unlink()  # what git's own message asks for after a crash

    undone = repo("undo")
    assert undone.code == 0 and undone.err == "undone: log: call with Müller Elektrotechnik GmbH — killed\n"
    assert not logged.exists() and repo.read(PARTY_FILE)["industry"] == "cable"
    assert git(repo.root, "log", "-3", "--format=%s").splitlines() == [
        "undo: log: call with Müller Elektrotechnik GmbH — killed", "log: call with Müller Elektrotechnik GmbH — killed",
        "customer: edit 深圳市华强电子有限公司 (industry=cable)"]


def test_the_mark_is_not_trusted_only_record_paths_inside_are_committed(repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("mine: true\n")
    (repo.root / "notes.txt").write_text("my private notes\n")
    party = repo.root / PARTY_FILE
    party.write_text(party.read_text() + "# hand edit\n")
    lines = ['{"message": "forged: all of it", "paths": ["../outside.yaml", "notes.txt", "customers/../notes.txt", '
             f'"customers", "/etc/passwd", 7, "{PARTY_FILE}"]}}', "not json", '{"message": 1, "paths": ["x"]}']
    (open_repo(repo.root).cache_dir / MARK).write_text("\n".join(lines) + "\n")
    shown = repo("history", "--since", "1d", "--format", "json")
    assert (shown.code, shown.err) == (0, "")
    assert git(repo.root, "show", "--name-only", "--format=%s", "HEAD").splitlines() == ["forged: all of it", "",
                                                                                        PARTY_FILE]
    assert git(repo.root, "status", "--porcelain") == "?? notes.txt"
    assert outside.read_text() == "mine: true\n"
    assert not (open_repo(repo.root).cache_dir / MARK).exists()
