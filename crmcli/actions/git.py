"""`crm undo` and `crm git install-hooks`: the write commands that work on git itself."""

from __future__ import annotations

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.notices import SET_UP
from crmcli.store import gitsetup

UNDO_REACH = 50
"""How far back past other people's commits `crm undo` looks for crm's last one."""


def undo(repo) -> str:
    """Revert the last commit crm made (the one with the `Crm-Command:` trailer): its files go
    back to how its parent had them, as one new transaction (committed like any other write).
    It must be HEAD, or no commit since may have touched its files; and a command whose files
    were written but not committed is committed first, else undo is refused (it would revert
    the command before). Refused too, with the reason, over uncommitted changes to those
    files. Returns the subject of the undone commit."""
    repo.refuse_if_past()
    repo.refuse_if_git_busy()
    problem = repo.commit_pending()
    if problem:
        raise InvalidValue(_("the last command's files are written but not committed ({problem}), so undo would "
                             "revert the command before it: commit them first").format(problem=problem))
    tree = repo.work_tree()
    if tree.head() is None:
        raise InvalidValue(_("nothing to undo: the repository has no commits"))
    commit, since = _last_crm_commit(tree)
    label = f"{'commit' if since else 'HEAD'} ({commit.sha[:12]} {commit.subject!r})"
    if commit.command == "init" or len(commit.parents) != 1:
        raise InvalidValue(_("{commit} started the data directory: there is nothing before it to go back to").format(
            commit=label))
    paths = [path for _status, path, _old in commit.files]
    for later in since:
        touched = [path for _status, path, _old in later.files if path in paths]
        if touched:
            raise InvalidValue(_("{path} changed in {later} ({subject!r}) after {commit}: undo it with git if you "
                                 "mean to").format(path=touched[0], later=later.sha[:12], subject=later.subject,
                                                   commit=label))
    changed = tree.status(paths)
    if changed:
        raise InvalidValue(_("{path} has uncommitted changes since {commit}: commit or discard them first").format(
            path=changed[0], commit=label))
    before = tree.blobs([f"{commit.parents[0]}:./{path}" for path in paths])
    with repo.writing(_undo_message(commit.subject)) as tx:
        for path, data in zip(paths, before, strict=True):
            if data is None:
                tx.remove_file(path)
            else:
                tx.put_file(path, data)
    return commit.subject


def _last_crm_commit(tree):
    """crm's last commit on this branch, and the commits made since (newest first)."""
    commits = tree.log("--first-parent", "-m", "--no-renames", f"--max-count={UNDO_REACH}", "HEAD")
    for position, commit in enumerate(commits):
        if commit.command:
            return commit, commits[:position]
    raise InvalidValue(_("none of the last {count} commits was made by crm (HEAD is {commit} {subject!r}): undo "
                         "with git if you mean to").format(count=len(commits), commit=commits[0].sha[:12],
                                                           subject=commits[0].subject))


def _undo_message(subject: str) -> str:
    """`undo: …` of a command; undoing an undo is a `redo: …` of it, and so on."""
    if subject.startswith("undo: "):
        return "redo: " + subject.removeprefix("undo: ")
    return "undo: " + subject.removeprefix("redo: ")


def install_hooks(repo) -> list[str]:
    """The merge driver and pre-commit hook in this repository, and the driver's line in
    `.gitattributes` (a file of the data, so written and committed like a record)."""
    repo.refuse_if_past()
    repo.warnings[:] = [note for note in repo.warnings if note.kind != SET_UP]  # the notes below say it all
    tree = repo.work_tree()
    gitsetup.install_merge_driver(tree)
    notes = [_("installed the merge driver for records and the pre-commit hook {path}").format(
        path=gitsetup.install_hook(tree))]
    path = repo.root / gitsetup.ATTRIBUTES_FILE
    text = gitsetup.attributes_text(path.read_text(encoding="utf-8") if path.exists() else None)
    if text is not None:
        with repo.writing("git: merge records field by field") as tx:
            tx.put_file(gitsetup.ATTRIBUTES_FILE, text.encode("utf-8"))
        notes.append(_("added the merge driver to {path}").format(path=gitsetup.ATTRIBUTES_FILE))
    return notes
