"""Committing exactly the files of one command, in a real repository, from the library."""

from crmcli.store.git import TRAILER, commit_files, work_tree
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
