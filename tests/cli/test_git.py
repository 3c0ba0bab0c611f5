"""Git as the history and the undo: autocommit, `crm history`, `crm undo`, `--at`, the hook."""

import os
import stat
import subprocess
from pathlib import Path

from conftest import ROOT, DataDir, run_crm
from crmcli.store import codec
from gitrepos import git, head_files, subject

DEAL = "DL-20261119-002Q"


def test_each_write_is_one_commit_of_exactly_its_files_with_a_message_saying_what_happened(repo):
    before = git(repo.root, "rev-parse", "HEAD")
    logged = repo("log", "huaqiang", "call", "pricing agreed")
    assert logged.code == 0, logged.err
    assert git(repo.root, "rev-list", "--count", f"{before}..HEAD") == "1"
    assert subject(repo) == "log: call with 深圳市华强电子有限公司 — pricing agreed"
    [path] = head_files(repo)
    assert path.startswith("interactions/2026/11/IN-20261122-") and path.endswith(".yaml")
    assert "Crm-Command: log" in git(repo.root, "log", "-1", "--format=%B")

    new = repo("order", "add", "huaqiang", "--line", "CAB-07 4 @ 1250").out.strip()
    assert subject(repo) == "order: add for 深圳市华强电子有限公司 (5650.00 CNY)"
    assert repo("order", "submit", new).code == 0
    assert subject(repo) == f"order: {new} submitted"
    assert repo("order", "confirm", new).code == 0
    assert subject(repo) == f"order: {new} confirmed"
    assert head_files(repo) == [f"orders/2026/{new}.yaml"]
    assert git(repo.root, "status", "--porcelain") == ""


def test_a_command_that_removes_files_commits_the_removal(repo):
    assert repo("customer", "add", "Temp Co", "--id", "temp-co").code == 0
    assert repo("customer", "rm", "temp-co").code == 0
    assert subject(repo) == "customer: remove Temp Co"
    assert git(repo.root, "show", "--name-status", "--format=", "HEAD") == "D\tcustomers/temp-co.yaml"


def test_no_commit_skips_git_for_one_command(repo):
    head = git(repo.root, "rev-parse", "HEAD")
    assert repo("--no-commit", "customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    assert git(repo.root, "rev-parse", "HEAD") == head
    assert git(repo.root, "status", "--porcelain") == " M customers/huaqiang-dianzi.yaml"


def test_the_users_own_changes_staged_or_not_are_neither_committed_nor_lost(repo):
    (repo.root / "notes.txt").write_text("my notes\n")
    git(repo.root, "add", "notes.txt")
    products = repo.root / "products" / "CAB-07.yaml"
    products.write_text(products.read_text() + "# my unstaged remark\n")
    staged_edit = repo.root / "suppliers" / "jinglian-xianlan.yaml"
    staged_edit.write_text(staged_edit.read_text() + "# staged remark\n")
    git(repo.root, "add", "suppliers/jinglian-xianlan.yaml")

    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    assert head_files(repo) == ["customers/huaqiang-dianzi.yaml"]
    status = git(repo.root, "status", "--porcelain").splitlines()
    assert sorted(status) == [" M products/CAB-07.yaml", "A  notes.txt", "M  suppliers/jinglian-xianlan.yaml"]
    assert "# my unstaged remark" in products.read_text()
    assert "staged remark" in git(repo.root, "diff", "--cached", "suppliers/jinglian-xianlan.yaml")


def test_a_locked_index_after_the_commit_is_a_warning_saying_how_to_fix_it(repo):
    (repo.root / ".git" / "index.lock").write_text("")
    result = repo("customer", "edit", "huaqiang", "--set", "industry=cable")
    (repo.root / ".git" / "index.lock").unlink()
    assert result.code == 0
    assert "\nwarning: committed as " in result.err and "index.lock': File exists" in result.err
    assert result.err.endswith("git reset -q brings it in line\n")
    assert head_files(repo) == ["customers/huaqiang-dianzi.yaml"]
    git(repo.root, "reset", "-q")
    assert git(repo.root, "status", "--porcelain") == ""


def test_history_shows_each_version_with_field_changes(repo):
    assert repo("deal", "move", DEAL, "negotiation", "--note", "price agreed").code == 0
    assert repo("customer", "edit", "huaqiang", "--set", "phones[1]=+86 755 8321 6601").code == 0
    deal = repo("history", DEAL, "--format", "json").json()
    assert deal[0]["message"] == f"deal: {DEAL} → negotiation"
    assert "stage: proposal → negotiation" in deal[0]["changes"]
    assert any(line.startswith("history[2] added: {at: ") for line in deal[0]["changes"])
    assert deal[-1]["changes"] == ["created"]
    party = repo("history", "华强", "--format", "json").json()
    assert party[0]["changes"] == ["phones[1] added: +86 755 8321 6601"]
    assert party[0]["author"] == "Test"
    plain = repo("history", "huaqiang", "--format", "plain").out
    assert "phones[1] added: +86 755 8321 6601" in plain


def test_history_since_lists_recent_changes_across_the_data_directory(repo, monkeypatch):
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-10T12:00:00+08:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-10T12:00:00+08:00")
    assert repo("log", "huaqiang", "note", "long ago").code == 0
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-20T12:00:00+08:00")
    monkeypatch.setenv("GIT_AUTHOR_DATE", "2026-11-20T12:00:00+08:00")
    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    recent = repo("history", "--since", "1w", "--format", "json").json()
    assert [row["message"] for row in recent] == ["customer: edit 深圳市华强电子有限公司 (industry=cable)"]
    assert recent[0]["changes"] == ["changed customers/huaqiang-dianzi.yaml"]
    assert len(repo("history", "--since", "2026-11-10", "--format", "json").json()) == 2


def test_undo_reverts_crms_last_commit(repo):
    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    assert repo("log", "huaqiang", "call", "to be undone").code == 0
    [added] = head_files(repo)
    undone = repo("undo")
    assert undone.code == 0 and "undone: log: call with" in undone.err
    assert not (repo.root / added).exists()
    assert subject(repo) == "undo: log: call with 深圳市华强电子有限公司 — to be undone"
    assert repo("timeline", "to be undone").out == ""
    assert repo("undo").code == 0
    assert (repo.root / added).exists() and subject(repo).startswith("redo: log: call")


def test_undo_restores_an_edited_and_a_removed_file(repo):
    before = repo.text("customers/huaqiang-dianzi.yaml")
    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    assert repo("undo").code == 0
    assert repo.text("customers/huaqiang-dianzi.yaml") == before
    assert repo("customer", "add", "Temp Co", "--id", "temp-co").code == 0
    assert repo("customer", "rm", "temp-co").code == 0
    assert repo("undo").code == 0
    assert repo.read("customers/temp-co.yaml")["name"] == "Temp Co"
    assert git(repo.root, "status", "--porcelain") == ""


def test_undo_reverts_crms_last_command_past_someone_elses_commit_of_other_files(repo):
    assert repo("log", "huaqiang", "call", "to be undone").code == 0
    [added] = head_files(repo)
    (repo.root / "notes.txt").write_text("mine\n")
    git(repo.root, "add", "notes.txt")
    git(repo.root, "commit", "-q", "-m", "my own commit")
    undone = repo("undo")
    assert (undone.code, undone.err) == (0, "undone: log: call with 深圳市华强电子有限公司 — to be undone\n")
    assert not (repo.root / added).exists() and (repo.root / "notes.txt").exists()
    assert git(repo.root, "log", "-2", "--format=%s").splitlines() == [
        "undo: log: call with 深圳市华强电子有限公司 — to be undone", "my own commit"]


def test_undo_refuses_when_a_later_commit_changed_the_same_files(repo):
    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    crms = git(repo.root, "rev-parse", "HEAD")
    path = repo.root / "customers" / "huaqiang-dianzi.yaml"
    path.write_text(path.read_text() + "# my remark\n")
    git(repo.root, "commit", "-q", "-am", "my own commit")
    refused = repo("undo")
    assert (refused.code, refused.err) == (
        1, f"crm: customers/huaqiang-dianzi.yaml changed in {git(repo.root, 'rev-parse', 'HEAD')[:12]} "
           f"('my own commit') after commit ({crms[:12]} 'customer: edit 深圳市华强电子有限公司 (industry=cable)'): "
           "undo it with git if you mean to\n")
    assert "# my remark" in path.read_text() and "industry: cable" in path.read_text()


def test_undo_refuses_when_crm_made_none_of_the_commits(demo):
    git(demo.root, "init", "-q", "-b", "main")
    git(demo.root, "add", "-A")
    git(demo.root, "commit", "-q", "-m", "the data as it was")
    refused = demo("undo")
    assert (refused.code, refused.err) == (
        1, f"crm: none of the last 1 commits was made by crm (HEAD is {git(demo.root, 'rev-parse', 'HEAD')[:12]} "
           "'the data as it was'): undo with git if you mean to\n")


def test_undo_refuses_over_uncommitted_changes_to_the_same_files(repo):
    assert repo("customer", "edit", "huaqiang", "--set", "industry=cable").code == 0
    path = repo.root / "customers" / "huaqiang-dianzi.yaml"
    path.write_text(path.read_text() + "# a hand edit\n")
    refused = repo("undo")
    assert refused.code == 1
    assert "customers/huaqiang-dianzi.yaml has uncommitted changes since HEAD" in refused.err
    assert "# a hand edit" in path.read_text() and "industry: cable" in path.read_text()


def test_at_runs_a_report_on_an_old_revision_without_touching_the_files(repo, monkeypatch):
    old_ledger = repo("ledger", "--period", "2026", "--format", "json").json()
    git(repo.root, "tag", "before-order")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-21T12:00:00+08:00")
    assert repo("log", "huaqiang", "note", "on the 21st").code == 0
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-11-22T12:00:00+08:00")
    assert repo("order", "add", "huaqiang", "--line", "CAB-07 40 @ 1250", "--status", "confirmed").code == 0
    assert repo("ledger", "--period", "2026", "--format", "json").json() != old_ledger
    files = sorted(str(p) for p in repo.root.rglob("*") if ".git" not in p.parts and ".crm" not in p.parts)

    assert repo("--at", "before-order", "ledger", "--period", "2026", "--format", "json").json() == old_ledger
    assert repo("--at", "2026-11-21", "ledger", "--period", "2026", "--format", "json").json() == old_ledger
    assert repo("--at", "2026-11-21", "timeline", "on the 21st", "--format", "json").json()
    assert repo("--at", "HEAD~1", "ledger", "--period", "2026", "--format", "json").json() == old_ledger
    assert sorted(str(p) for p in repo.root.rglob("*") if ".git" not in p.parts and ".crm" not in p.parts) == files
    assert git(repo.root, "status", "--porcelain") == ""


def test_at_refuses_writes_and_unknown_revisions(repo):
    for command in (("log", "huaqiang", "call", "x"), ("undo",), ("sync",), ("git", "install-hooks")):
        refused = repo("--at", "HEAD~1", *command)
        assert refused.code == 1, command
        assert refused.err.startswith("crm: --at shows the data as of ") and len(refused.err.splitlines()) == 1
    unknown = repo("--at", "no-such-tag", "customer", "list")
    assert unknown.code == 1 and "not a commit, a tag or a date" in unknown.err
    early = repo("--at", "2001-01-01", "customer", "list")
    assert early.code == 1 and "no commit from before the end of 2001-01-01" in early.err


def test_init_sets_up_git_and_commits_its_files(tmp_path):
    target = tmp_path / "new"
    assert run_crm("init", target, "--name", "New Co", "--me", "li").code == 0
    assert git(target, "log", "--format=%s") == "init: data directory of New Co"
    assert git(target, "status", "--porcelain") == ""
    assert "merge=crm" in (target / ".gitattributes").read_text()
    assert "git merge-driver" in git(target, "config", "merge.crm.driver")
    assert os.access(target / ".git" / "hooks" / "pre-commit", os.X_OK)


def test_the_pre_commit_hook_refuses_a_broken_record(repo):
    path = repo.root / "customers" / "huaqiang-dianzi.yaml"
    path.write_text(path.read_text().replace("lifecycle: customer", "lifecycle: friend"))
    git(repo.root, "add", "customers/huaqiang-dianzi.yaml")
    result = subprocess.run(["git", "commit", "-q", "-m", "broken"], cwd=repo.root, capture_output=True, text=True)
    assert result.returncode != 0
    assert "customers/huaqiang-dianzi.yaml:4: lifecycle: 'friend' is not one of" in result.stderr
    assert "commit refused" in result.stderr
    assert git(repo.root, "log", "-1", "--format=%s") != "broken"
    path.write_text(path.read_text().replace("lifecycle: friend", "lifecycle: customer"))
    git(repo.root, "add", "customers/huaqiang-dianzi.yaml")
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "fine")
    assert subject(repo) == "fine"
    # the staged copy the hook checks, and its index, went with the run: nothing piles up in the cache
    cache = Path(os.environ["XDG_CACHE_HOME"]) / "crm"
    assert not [folder.name for folder in cache.iterdir() if folder.name.startswith("crm-staged-")]


def test_the_hook_works_for_a_data_directory_in_a_folder_of_the_repository(tmp_path, demo):
    top = tmp_path / "top"
    top.mkdir()
    demo.root.rename(top / "crm")
    data = DataDir(top / "crm")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "the data as it was")
    assert data("git", "install-hooks").code == 0
    assert git(top, "show", "--name-only", "--format=", "HEAD") == "crm/.gitattributes"
    path = data.root / "customers" / "huaqiang-dianzi.yaml"
    path.write_text(path.read_text().replace("lifecycle: customer", "lifecycle: friend"))
    for command in (["commit", "-q", "-m", "broken", "crm/customers"], ["commit", "-q", "-a", "-m", "broken"]):
        result = subprocess.run(["git", *command], cwd=top, capture_output=True, text=True)
        assert result.returncode != 0 and "huaqiang-dianzi.yaml:4: lifecycle" in result.stderr, result.stderr
    git(top, "add", "-A")
    result = subprocess.run(["git", "commit", "-q", "-m", "broken"], cwd=top / "crm" / "customers",
                            capture_output=True, text=True)
    assert result.returncode != 0 and "huaqiang-dianzi.yaml:4: lifecycle" in result.stderr, result.stderr


def test_the_pre_commit_check_refuses_dangling_references_and_conflict_markers(repo):
    interaction = repo.files("interactions")[0]
    text = interaction.read_text()
    interaction.write_text(text.replace("party: customers/", "party: customers/gone-"))
    template = next((repo.root / "templates").iterdir())
    template.write_text("<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n" + template.read_text())
    git(repo.root, "add", "-A")
    checked = repo("git", "pre-commit")
    assert checked.code == 1
    relative = interaction.relative_to(repo.root).as_posix()
    assert f"{relative}:2: party 'customers/gone-" in checked.out
    assert f"templates/{template.name}:1: unresolved git merge conflict markers" in checked.out


def test_the_pre_commit_check_refuses_removing_a_party_still_referred_to(repo):
    git(repo.root, "rm", "-q", "customers/huaqiang-dianzi.yaml")
    checked = repo("git", "pre-commit")
    assert checked.code == 1
    assert "customers/huaqiang-dianzi.yaml: removed, but" in checked.out


def test_check_reports_conflict_markers_with_path_and_line(demo):
    path = demo.root / "customers" / "huaqiang-dianzi.yaml"
    lines = path.read_text().splitlines(keepends=True)
    lines[4:5] = ["<<<<<<< ours\n", "industry: cable\n", "=======\n", "industry: wire\n", ">>>>>>> theirs\n"]
    path.write_text("".join(lines))
    template = demo.root / "templates" / "notes.md"
    template.write_text("# Notes\n\n<<<<<<< ours\nmine\n=======\ntheirs\n>>>>>>> theirs\n")
    result = demo("check")
    assert result.code == 1
    assert "customers/huaqiang-dianzi.yaml:5: unresolved git merge conflict markers" in result.out
    assert "templates/notes.md:3: unresolved git merge conflict markers" in result.out
    (demo.root / "crm.yaml").write_text(demo.text("crm.yaml") + "<<<<<<< ours\n=======\n>>>>>>> theirs\n")
    unusable = demo("check")
    lines = len(demo.text("crm.yaml").splitlines())
    assert (unusable.code, unusable.err) == (
        3, f"crm: {demo.root}/crm.yaml:{lines - 2}: unresolved git merge conflict markers\n")


def test_without_git_the_git_commands_say_so_and_the_rest_works(repo, monkeypatch, tmp_path):
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    monkeypatch.setenv("PATH", str(bare_path))
    for args in (("history", "huaqiang"), ("undo",), ("sync",), ("--at", "HEAD", "today")):
        result = repo(*args)
        assert (result.code, result.err) == (1, "crm: git is not installed\n"), args
    logged = repo("log", "huaqiang", "call", "still works")
    assert logged.code == 0
    assert "written but not committed: git is not installed" in logged.err


def test_outside_a_repository_the_git_commands_say_so_and_writes_just_write(demo):
    result = demo("history", "huaqiang")
    assert result.code == 1
    assert result.err == f"crm: {demo.root} is not in a git repository (make it one with: git init {demo.root})\n"
    logged = demo("log", "huaqiang", "call", "no git here")
    assert (logged.code, logged.err) == (0, "")


def test_install_hooks_refuses_to_replace_someone_elses_hook(repo):
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    result = repo("git", "install-hooks")
    assert result.code == 1 and "is not crm's" in result.err
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"


def test_the_pre_commit_framework_hook_names_a_real_command():
    [hook] = codec.decode((ROOT / ".pre-commit-hooks.yaml").read_bytes(), mapping=False)
    program, *args = hook["entry"].split()
    assert (program, hook["pass_filenames"]) == ("crm", False)
    assert run_crm(*args, "--help").code == 0


def test_a_date_given_to_at_is_also_today_unless_one_is_given(repo, monkeypatch):
    monkeypatch.delenv("CRM_TODAY")
    assert repo("--at", "2026-06-30", "report", "receivables").out.startswith("Receivables · CNY · as of 2026-06-30")
    pinned = repo("--at", "2026-06-30", "--today", "2026-07-05", "report", "receivables")
    assert pinned.out.startswith("Receivables · CNY · as of 2026-07-05")
