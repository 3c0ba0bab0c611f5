"""`crm sync` between two clones of one bare remote, and the merge driver git runs for it."""

import subprocess

from conftest import DataDir
from crmcli import open_repo
from crmcli.actions.interactions import log_interaction
from crmcli.actions.orders import add_order
from crmcli.query.resolve import resolve_party
from gitrepos import git

PARTY = "customers/huaqiang-dianzi.yaml"


def add_work(data: DataDir) -> None:
    """100 interactions (one commit, as a user would after a day of `--no-commit`) and 20
    orders (a commit each), all on the same days in both clones, so only their random ids
    keep them apart."""
    repo = open_repo(data.root)
    party = resolve_party(repo, "huaqiang")
    repo.autocommit = False
    for day in range(100):
        log_interaction(repo, party, "call", f"call {day}", at=f"2025-{1 + day // 25:02d}-{1 + day % 25:02d} 10:00")
    git(data.root, "add", "interactions")
    git(data.root, "commit", "-q", "-m", "a hundred calls")
    repo.autocommit = True
    for day in range(20):
        add_order(repo, "sale", party, lines=["CAB-07 2 @ 1250"], day=f"2025-06-{1 + day:02d}")


def synced(data: DataDir) -> str:
    result = data("sync")
    assert result.code == 0, result.err
    return result.err


def test_two_clones_sync_to_identical_trees_with_every_record_and_a_clean_check(clones):
    a, b = clones
    start = {kind: len(a.files(kind)) for kind in ("interactions", "orders")}
    add_work(a)
    add_work(b)
    assert a("customer", "edit", "huaqiang", "--set", "industry=制造", "--add-tag", "2027").code == 0
    assert b("customer", "edit", "huaqiang", "--set", "payment_terms=net 60").code == 0
    (b.root / "notes.txt").write_text("staged, mine\n")
    git(b.root, "add", "notes.txt")
    product = b.root / "products" / "CAB-07.yaml"
    product.write_text(product.read_text() + "# unstaged, mine\n")

    assert "pulled 0 commit(s), pushed 22" in synced(a)
    assert "pulled 22 commit(s), pushed 22" in synced(b)
    assert "pulled 22 commit(s), pushed 0" in synced(a)

    assert git(a.root, "rev-parse", "HEAD^{tree}") == git(b.root, "rev-parse", "HEAD^{tree}")
    assert git(a.root, "status", "--porcelain") == ""
    assert sorted(git(b.root, "status", "--porcelain").splitlines()) == [" M products/CAB-07.yaml", "A  notes.txt"]
    assert "notes.txt" not in git(b.root, "log", "--name-only", "--format=")
    for data in (a, b):
        assert len(data.files("interactions")) == start["interactions"] + 200
        assert len(data.files("orders")) == start["orders"] + 40
        party = data.read(PARTY)
        assert (party["industry"], party["payment_terms"], "2027" in party["tags"]) == ("制造", "net 60", True)
        check = data("check")
        assert check.code == 0, check.out
        assert "the same id" not in check.out
    assert a.text(PARTY) == b.text(PARTY)
    assert "# Key account since 2024" in a.text(PARTY)


def test_a_true_conflict_on_one_field_is_reported_clearly(clones):
    a, b = clones
    assert a("customer", "edit", "huaqiang", "--set", "industry=cable", "--add-tag", "2027").code == 0
    assert b("customer", "edit", "huaqiang", "--set", "industry=wire", "--set", "payment_terms=net 60").code == 0
    synced(a)
    stopped = b("sync")
    assert stopped.code == 1
    assert f"{PARTY}:5: both sides changed industry: keep one, delete the markers" in stopped.out
    assert "git rebase --continue" in stopped.err
    text = b.text(PARTY)
    assert text.count("<<<<<<< ") == 1
    assert "<<<<<<< ours\nindustry: cable\n=======\nindustry: wire\n>>>>>>> theirs\n" in text
    assert "payment_terms: net 60" in text and "2027" in text
    check = b("check")
    assert check.code == 1
    assert f"{PARTY}:5: unresolved git merge conflict markers" in check.out


def test_sync_says_what_it_needs(clones, tmp_path):
    a, _ = clones
    git(a.root, "branch", "-q", "--unset-upstream")
    assert a("customer", "list").code == 0  # the first command in a fresh clone sets it up, and says so
    result = a("sync")
    assert (result.code, result.err) == (1, "crm: branch main has no upstream to sync with "
                                            "(set it once: git push -u origin main)\n")


def test_a_record_left_with_conflict_markers_is_never_pushed(clones):
    """Git skips the pre-commit hook while a rebase continues: a file added with its markers
    still in it is committed. Sync checks its commits as the hook would and pushes nothing."""
    a, b = clones
    assert a("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    assert b("customer", "edit", "huaqiang", "--set", "industry=wire").code == 0
    synced(a)
    remote_before = git(a.root, "ls-remote", "origin", "main")
    assert b("sync").code == 1
    git(b.root, "add", PARTY)
    done = subprocess.run(["git", "-c", "core.editor=true", "rebase", "--continue"], cwd=b.root,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<<<<<<< ours" in git(b.root, "show", f"HEAD:{PARTY}")

    refused = b("sync")
    assert refused.code == 1
    assert f"{PARTY}:5: unresolved git merge conflict markers" in refused.out
    assert "nothing was pushed" in refused.err
    assert git(b.root, "ls-remote", "origin", "main") == remote_before

    text = b.text(PARTY)
    (b.root / PARTY).write_text(text.replace("<<<<<<< ours\nindustry: cable\n=======\n", "")
                                .replace(">>>>>>> theirs\n", ""))
    git(b.root, "commit", "-q", "-am", "keep wire")
    assert "pushed 2" in synced(b)
    assert git(a.root, "ls-remote", "origin", "main") != remote_before
