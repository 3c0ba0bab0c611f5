"""Writes wait for the user's git (issue 16, item 4): refused mid-merge, -rebase, -cherry-pick,
-revert and -bisect and on a detached HEAD, so that git's own continue, abort or checkout
never silently drops what crm wrote. Reads keep working. Every state is made with real git."""

import pytest

from gitrepos import git, plain_git, repo, subject  # noqa: F401 (fixtures)

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
