"""`crm sync`: bring in the other clones' commits (rebase), send ours (push), and check
what the two sides make together. Our commits are checked before they are pushed, as the
pre-commit hook checks a commit (git skips the hook while a rebase continues), so a record
no clone could read is never published. Two different records added on the two sides
under one id are found before the rebase, and ours gets another id (actions/collisions.py).

Nothing of the user's is committed: uncommitted changes, staged or not, are set aside
in git's stash for the rebase and put back after it. Records both sides changed are
merged field by field by the merge driver (store/merge.py); a field both changed
differently stops the rebase, and each such field is reported with its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crmcli.actions.collisions import rename_our_twins
from crmcli.errors import GitError
from crmcli.i18n import _
from crmcli.reports.check import SYNC_CHECKS, run_checks
from crmcli.reports.staged import unpublished_problems
from crmcli.store import gitsetup
from crmcli.store.git import failure
from crmcli.store.lock import writer_lock
from crmcli.store.merge import conflicted_fields
from crmcli.store.validation import Problem

PUSH_ATTEMPTS = 3
"""Pushes refused because another clone pushed first are retried after another rebase."""
STASH = "refs/stash"


@dataclass
class Synced:
    pulled: int = 0
    pushed: int = 0
    conflicts: list[Problem] = field(default_factory=list)
    """Fields left between conflict markers: the rebase stopped, nothing was pushed."""
    unpublished: list[Problem] = field(default_factory=list)
    """Problems in our commits that would break the records for every clone: nothing was pushed."""
    problems: list[Problem] = field(default_factory=list)
    """What `crm check` finds in the merged data: the same id twice, duplicates, dangling references."""
    notes: list[str] = field(default_factory=list)


def _upstream(tree) -> tuple[str, str]:
    """The remote and the branch there that the current branch syncs with."""
    branch = tree.run("symbolic-ref", "-q", "--short", "HEAD", check=False).stdout.decode().strip()
    if not branch:
        raise GitError(_("HEAD is detached: check out a branch to sync"))
    remote = tree.run("config", f"branch.{branch}.remote", check=False).stdout.decode().strip()
    merge = tree.run("config", f"branch.{branch}.merge", check=False).stdout.decode().strip()
    if not remote or not merge:
        raise GitError(_("branch {branch} has no upstream to sync with (set it once: git push -u origin {branch})")
                       .format(branch=branch))
    return remote, merge


def _count(tree, span: str) -> int:
    return int(tree.out("rev-list", "--count", span))


def _conflicts(tree) -> list[Problem]:
    paths = [p for p in tree.run("diff", "--name-only", "--diff-filter=U", "-z", "--relative")
             .stdout.decode("utf-8").split("\0") if p]
    problems = []
    for path in paths:
        try:
            text = (tree.root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        found = conflicted_fields(text)
        problems += [Problem(path, _("both sides changed {field}: keep one, delete the markers").format(field=name),
                             line) for line, name in found]
        if not found:
            problems.append(Problem(path, _("changed on one side and removed (or added) on the other")))
    return problems


def _rebase(tree, synced: Synced) -> bool:
    """Rebase onto the upstream, the user's uncommitted changes set aside; False when it
    stopped at a conflict (then left for the user to finish, as git does)."""
    before = tree.run("rev-parse", "-q", "--verify", STASH, check=False).stdout
    tree.run("stash", "push", "--quiet", "--message", "crm sync: your uncommitted changes")
    stashed = tree.run("rev-parse", "-q", "--verify", STASH, check=False).stdout != before
    result = tree.run("rebase", "--quiet", check=False)
    if result.returncode != 0 and tree.in_progress() == "a rebase":
        synced.conflicts = _conflicts(tree)
        synced.notes.append(_("the rebase stopped (in it, \"ours\" is the remote's version and \"theirs\" yours): "
                              "fix each file, git add it, git rebase --continue, then crm sync again"))
        if stashed:
            synced.notes.append(_("your uncommitted changes are in git stash: git stash pop --index after the rebase"))
        return False
    if stashed and tree.run("stash", "pop", "--index", "--quiet", check=False).returncode != 0:
        synced.notes.append(_("your uncommitted changes could not all be put back: they are kept in git stash"))
    if result.returncode != 0:
        raise GitError(_("git {command} failed: {failure}").format(command="rebase", failure=failure(result)))
    return True


def sync(repo) -> Synced:
    """Pull with rebase, push, then check the merged data (see the module's docstring)."""
    repo.refuse_if_past()
    repo.refuse_if_git_busy()
    repo.warn_uncommitted(repo.commit_pending())
    tree = repo.work_tree()
    remote, merge = _upstream(tree)
    gitsetup.install_merge_driver(tree)
    synced = Synced()
    for attempt in range(PUSH_ATTEMPTS):
        tree.run("fetch", "--quiet", remote)
        incoming = _count(tree, "HEAD..@{upstream}")
        if incoming:
            synced.notes += _unsigned_notes(repo, tree)
            with writer_lock(repo.cache_dir, repo.root):
                synced.notes += rename_our_twins(tree, "@{upstream}")
                if not _rebase(tree, synced):
                    return synced
            synced.pulled += incoming
        outgoing = _count(tree, "@{upstream}..HEAD")
        if not outgoing:
            break
        synced.unpublished = unpublished_problems(repo, tree, "@{upstream}")
        if synced.unpublished:
            synced.notes.append(_("nothing was pushed: fix the records below, commit, then crm sync again"))
            return synced
        pushed = tree.run("push", "--quiet", remote, f"HEAD:{merge}", check=False)
        if pushed.returncode == 0:
            synced.pushed = outgoing
            break
        if attempt == PUSH_ATTEMPTS - 1:
            raise GitError(_("git {command} failed: {failure}").format(command="push", failure=failure(pushed)))
    synced.problems = run_checks(repo, SYNC_CHECKS)
    return synced


def _unsigned_notes(repo, tree) -> list[str]:
    """A warning for each incoming commit not signed by a key of allowed_signers, when the
    repository keeps such a list (see store/signatures.py)."""
    from crmcli.store import signatures

    if signatures.allowed_signers(repo.root) is None:
        return []
    return [_("pulled an unsigned or unknown commit: {problem}").format(problem=problem)
            for problem in signatures.problems(tree, repo.root, "HEAD..@{upstream}")]
