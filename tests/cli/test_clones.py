"""Two clones of one remote: the set-up a fresh clone gets from its first command, so that
a plain `git pull` merges records field by field, and one id created on both sides as two
different records (found by `crm sync` and `crm check` before the histories meet)."""

from conftest import DataDir
from crmcli.store.gitsetup import HOOK_MARK
from fs_conditions import read_only
from gitrepos import git

SET_UP = "set up this clone for git"
LATER = ("--today", "2026-11-23")
"""The clock is pinned: the other clone adds its record a day later (a record's `created` is its identity)."""


def is_set_up(data: DataDir) -> bool:
    driver = git(data.root, "config", "--get", "merge.crm.driver", check=False)
    hook = data.root / ".git" / "hooks" / "pre-commit"
    return "git merge-driver" in driver and hook.is_file() and HOOK_MARK in hook.read_text()


def test_the_first_command_in_a_fresh_clone_sets_it_up_once_and_plain_git_pull_merges_fields(clones):
    a, b = clones
    assert not is_set_up(a)
    first = a("customer", "list")
    assert first.code == 0
    [notice] = [line for line in first.err.splitlines() if SET_UP in line]
    assert "merge driver" in notice and "pre-commit" in notice
    assert is_set_up(a)
    assert SET_UP not in a("customer", "list").err

    assert a("customer", "edit", "huaqiang", "--set", "industry=制造").code == 0
    git(a.root, "push", "-q")
    assert b("customer", "edit", "huaqiang", "--set", "payment_terms=net 60").code == 0
    pulled = git(b.root, "pull", "-q", "--no-rebase", check=False)
    assert "CONFLICT" not in pulled
    party = b.read("customers/huaqiang-dianzi.yaml")
    assert (party["industry"], party["payment_terms"]) == ("制造", "net 60")
    assert git(b.root, "status", "--porcelain") == ""
    assert b("check").code == 0


def test_the_hook_is_never_written_through_a_link_nor_over_someone_elses(clones, tmp_path):
    a, b = clones
    target = tmp_path / "elsewhere.sh"
    target.write_text("#!/bin/sh\nexit 0\n")
    (a.root / ".git" / "hooks" / "pre-commit").symlink_to(target)
    (b.root / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\nexec lint\n")
    for data, why in ((a, "is a link"), (b, "is not crm's")):
        result = data("customer", "list")
        assert result.code == 0
        [notice] = [line for line in result.err.splitlines() if SET_UP in line]
        assert "the pre-commit hook is not installed" in notice and why in notice
        assert "git merge-driver" in git(data.root, "config", "--get", "merge.crm.driver")
    assert target.read_text() == "#!/bin/sh\nexit 0\n"
    assert (b.root / ".git" / "hooks" / "pre-commit").read_text() == "#!/bin/sh\nexec lint\n"


def test_data_outside_git_or_read_only_or_not_asking_for_the_driver_is_left_alone(clones, empty):
    a, _b = clones
    assert empty("customer", "list").err == "no customers match\n"
    config = (a.root / ".git" / "config").read_bytes()
    with read_only(a.root):
        result = a("customer", "list")
    assert result.code == 0 and SET_UP not in result.err
    assert (a.root / ".git" / "config").read_bytes() == config

    shared = a.root.parent / "everyones-hooks"  # core.hooksPath: hooks of other repositories too
    shared.mkdir()
    git(a.root, "config", "core.hooksPath", str(shared))
    result = a("customer", "list")
    assert "core.hooksPath is set: crm git install-hooks puts the pre-commit hook there" in result.err
    assert list(shared.iterdir()) == [] and "git merge-driver" in git(a.root, "config", "--get", "merge.crm.driver")

    (empty.root / ".gitattributes").unlink()  # data that never asked for crm's driver, in someone's repository
    git(empty.root, "init", "-q", "-b", "main")
    assert empty("customer", "list").err == "no customers match\n"
    assert git(empty.root, "config", "--get", "merge.crm.driver", check=False) == ""
    assert not (empty.root / ".git" / "hooks" / "pre-commit").exists()


def parties_and_calls(data: DataDir) -> dict[str, list[str]]:
    """The name of each party the test's calls ("about …") were logged with, and their summaries."""
    names = {path.stem: data.read(f"customers/{path.name}")["name"] for path in data.files("customers")}
    found: dict[str, list[str]] = {}
    for path in data.files("interactions"):
        record = data.read(path.relative_to(data.root).as_posix())
        if record["summary"].startswith("about "):
            found.setdefault(names[record["party"].removeprefix("customers/")], []).append(record["summary"])
    return {name: sorted(calls) for name, calls in found.items()}


def test_an_id_added_on_both_sides_as_two_records_is_renamed_on_ours_before_the_rebase(clones):
    a, b = clones
    for name in ("Acme Corp", "Acme GmbH"):
        assert a("customer", "add", name, "--force", "--email", f"sales@{name.split()[1].lower()}.example").code == 0
    assert a("log", "acme", "call", "about the Corp").code == 0
    assert "pushed 3" in a("sync").err

    assert b(*LATER, "customer", "add", "Acme Ltd", "--email", "info@ltd.example").out.strip() == "acme"
    assert b("log", "acme", "call", "about the Ltd").code == 0
    order = b("order", "add", "acme", "--line", "CAB-07 2 @ 1250").out.strip()
    assert b("customer", "edit", "acme", "--set", "industry=cable").code == 0
    synced = b("sync")
    assert synced.code == 0, synced.out + synced.err
    assert ("customers/acme.yaml: Acme Ltd (" in synced.err and ") on origin/main, two records with one id: "
            "yours is now customers/acme-3" in synced.err)
    assert "pulled 3 commit(s), pushed 4" in synced.err
    assert "pulled 4 commit(s), pushed 0" in a("sync").err

    for data in (a, b):
        assert git(data.root, "rev-parse", "HEAD^{tree}") == git(a.root, "rev-parse", "HEAD^{tree}")
        assert (data.read("customers/acme.yaml")["emails"], data.read("customers/acme-3.yaml")["emails"]) == (
            ["sales@corp.example"], ["info@ltd.example"])
        ltd = data.read("customers/acme-3.yaml")
        assert (ltd["id"], ltd["name"], ltd["industry"]) == ("acme-3", "Acme Ltd", "cable")
        assert parties_and_calls(data) == {"Acme Corp": ["about the Corp"], "Acme Ltd": ["about the Ltd"]}
        assert data.read(f"orders/2026/{order}.yaml")["party"] == "customers/acme-3"
        checked = data("check")
        assert checked.code == 0, checked.out
    published = git(a.root, "log", "-p", "origin/main", "--", "customers/acme.yaml")
    assert "Acme Ltd" not in published and "<<<<<<<" not in published
    assert b("undo").code == 0  # the rewritten commits are still crm's, each with its own files
    assert "industry" not in b.read("customers/acme-3.yaml")


def test_the_same_record_on_both_sides_still_merges_field_by_field(clones):
    """One addition that reached both sides (here a cherry-pick) keeps its `created`: one record."""
    a, b = clones
    assert a("customer", "add", "Acme Corp").code == 0
    assert "pushed 1" in a("sync").err
    git(b.root, "fetch", "-q")
    git(b.root, "cherry-pick", "origin/main")
    assert b("customer", "edit", "acme", "--set", "industry=cable").code == 0
    synced = b("sync")
    assert synced.code == 0 and "two records with one id" not in synced.err
    assert not (b.root / "customers" / "acme-2.yaml").exists()
    assert b.read("customers/acme.yaml")["industry"] == "cable"


def test_sync_renames_only_in_commits_so_uncommitted_records_wait(clones):
    a, b = clones
    assert a("customer", "add", "Acme Corp").code == 0
    a("sync")
    assert b(*LATER, "customer", "add", "Acme Ltd").code == 0
    assert b("--no-commit", "log", "acme", "call", "not committed").code == 0
    head = git(b.root, "rev-parse", "HEAD")
    refused = b("sync")
    assert refused.code == 1
    assert "customers/acme.yaml was added here and on origin/main as two different records" in refused.err
    assert "commit your changes first" in refused.err
    assert git(b.root, "rev-parse", "HEAD") == head
    assert b.read("customers/acme.yaml")["name"] == "Acme Ltd"


def test_check_names_a_twin_before_and_during_a_plain_git_pull_and_says_how_to_fix_it(clones):
    a, b = clones
    assert a("customer", "add", "Beta GmbH").code == 0
    git(a.root, "push", "-q")
    assert b(*LATER, "customer", "add", "Beta AG").code == 0
    assert b("check").code == 0  # nothing fetched yet

    git(b.root, "fetch", "-q")
    fetched = b("check")
    assert fetched.code == 1
    assert ("customers/beta.yaml: Beta AG (" in fetched.out and ") on origin/main were both added as customers/beta, "
            "two records with one id: crm sync gives yours another id (customers/beta-2)" in fetched.out)

    for pull, abort in (("--no-rebase", "merge"), ("--rebase", "rebase")):
        assert "CONFLICT" in git(b.root, "pull", "-q", pull, check=False)
        stopped = b("check")
        assert stopped.code == 1
        assert f"from the other side of a {abort} were both added as customers/beta" in stopped.out
        assert f"run git {abort} --abort, then crm sync gives yours another id (customers/beta-2)" in stopped.out
        git(b.root, abort, "--abort")

    assert b("sync").code == 0
    assert (b.read("customers/beta.yaml")["name"], b.read("customers/beta-2.yaml")["name"]) == ("Beta GmbH", "Beta AG")
    assert b("check").code == 0
