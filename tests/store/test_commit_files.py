"""Committing exactly the files of one command, in a real repository, from the library."""

import shutil
from pathlib import Path

import pytest

from crmcli.errors import GitError
from crmcli.store.git import TRAILER, commit_files, message_with_trailer, work_tree
from gitrepos import git


def test_only_the_given_paths_are_committed_and_the_index_keeps_the_rest(tmp_path):
    root = tmp_path / "repo" / "data"
    root.mkdir(parents=True)
    git(root.parent, "init", "-q", "-b", "main")
    (root / "a.yaml").write_text("a: 1\n")
    (root / "mine.txt").write_text("staged\n")
    git(root, "add", "mine.txt")
    (tmp_path / "repo" / ".gitignore").write_text("ignored.yaml\n")
    (root / "ignored.yaml").write_text("x: 1\n")
    tree = work_tree(root)
    assert tree.prefix == "data/"
    sha = commit_files(tree, ["a.yaml", "ignored.yaml", "gone.yaml"], "test: first")
    assert git(root, "log", "-1", "--format=%B", sha) == f"test: first\n\n{TRAILER}: test"
    assert git(root, "show", "--name-only", "--format=", sha) == "data/a.yaml"
    assert git(root, "status", "--porcelain", "--untracked-files=no") == "A  data/mine.txt"
    assert commit_files(tree, ["a.yaml"], "test: nothing new") is None
    (root / "a.yaml").unlink()
    commit_files(tree, ["a.yaml"], "test: removed")
    assert git(root, "ls-tree", "-r", "--name-only", "HEAD") == ""
    assert git(root, "status", "--porcelain", "--untracked-files=no") == "A  data/mine.txt"


def _change(root: Path) -> None:
    """One command's writes: a changed file, a removed one (its folder empties), a new file
    in a new nested folder and one under a Chinese name."""
    (root / "a.yaml").write_text("a: 2\n", encoding="utf-8")
    (root / "sub" / "old.yaml").unlink()
    (root / "sub").rmdir()
    (root / "new" / "deep").mkdir(parents=True)
    (root / "new" / "deep" / "x.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / "客户" / "张三丰.yaml").write_text("name: 张三丰\n", encoding="utf-8")
    (root / "new" / "tool.sh").write_text("echo new\n", encoding="utf-8")
    (root / "new" / "tool.sh").chmod(0o755)
    (root / "run.sh").write_text("echo 2\n", encoding="utf-8")
    (root / "run.sh").chmod(0o644)


CHANGED = ["a.yaml", "sub/old.yaml", "new/deep/x.yaml", "客户/张三丰.yaml", "new/tool.sh", "run.sh"]


@pytest.mark.parametrize("filemode", ["true", "false"])
def test_the_commit_is_what_git_add_and_git_commit_make_and_the_users_staging_stays(tmp_path, filemode):
    """Executable bits as git takes them: from the file when core.filemode trusts them, else
    from HEAD (a new file is not executable)."""
    top = tmp_path / "repo"
    root = top / "data"
    for path, text in {"a.yaml": "a: 1\n", "b.yaml": "b: 1\n", "sub/old.yaml": "old: 1\n", "客户/李.yaml": "name: 李\n",
                       "run.sh": "echo\n"}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    (root / "run.sh").chmod(0o755)
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "core.filemode", filemode)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "base")
    reference = tmp_path / "reference"
    shutil.copytree(top, reference)
    for where in (root, reference / "data"):
        _change(where)
    (root / "mine.txt").write_text("staged\n", encoding="utf-8")  # the user's own work, staged or not
    git(root, "add", "mine.txt")
    (root / "b.yaml").write_text("b: edited\n", encoding="utf-8")

    sha = commit_files(work_tree(root), CHANGED, "log: call with 张三丰")

    git(reference / "data", "add", "-A", "--", *CHANGED)
    git(reference / "data", "commit", "-q", "-m", message_with_trailer("log: call with 张三丰"))
    assert git(root, "rev-parse", f"{sha}^{{tree}}") == git(reference, "rev-parse", "HEAD^{tree}")
    shown = "--format=%an <%ae>%n%cn <%ce>%n%B"
    assert git(root, "show", "-s", shown, sha) == git(reference, "show", "-s", shown, "HEAD")
    assert git(root, "rev-parse", "HEAD") == sha
    assert "data/客户/张三丰.yaml" in git(top, "-c", "core.quotepath=off", "ls-tree", "-r", "--name-only", sha)
    assert git(root, "status", "--porcelain", "--untracked-files=no") == " M data/b.yaml\nA  data/mine.txt"


def test_a_commit_made_meanwhile_is_never_overwritten(tmp_path):
    """Another git moves the branch while crm makes its commit: the branch moves only from the
    commit crm started from, so crm's update fails and the other commit stays."""
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    (top / "a.yaml").write_text("a: 1\n")
    git(top, "add", "a.yaml")
    git(top, "commit", "-q", "-m", "base")
    real = shutil.which("git")
    meanwhile = tmp_path / "git"
    meanwhile.write_text(f'#!/bin/sh\nfor arg; do [ "$arg" = commit-tree ] && "{real}" -C "{top}" commit -q '
                         f'--allow-empty -m meanwhile; done\nexec "{real}" "$@"\n')
    meanwhile.chmod(0o755)
    (top / "b.yaml").write_text("b: 1\n")
    with pytest.raises(GitError, match="update-ref"):
        commit_files(work_tree(top)._replace(git=str(meanwhile)), ["b.yaml"], "test: b")
    assert git(top, "log", "--format=%s") == "meanwhile\nbase"
