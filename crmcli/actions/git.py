"""`crm undo` and `crm git install-hooks`: the write commands that work on git itself."""

from __future__ import annotations

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.store import gitsetup


def undo(repo) -> str:
    """Revert HEAD when crm made it: its files go back to how its parent had them, as one
    new transaction (committed like any other write). Refused, with the reason, when HEAD
    is someone else's commit, or when those files have uncommitted changes. Returns the
    subject of the undone commit."""
    repo.refuse_if_past()
    tree = repo.work_tree()
    head = tree.head()
    if head is None:
        raise InvalidValue(_("nothing to undo: the repository has no commits"))
    commit = tree.commit(head)
    label = f"HEAD ({head[:12]} {commit.subject!r})"
    if not commit.command:
        raise InvalidValue(_("{commit} was not made by crm: undo it with git if you mean to").format(commit=label))
    if commit.command == "init" or len(commit.parents) != 1:
        raise InvalidValue(_("{commit} started the data directory: there is nothing before it to go back to").format(
            commit=label))
    busy = tree.in_progress()
    if busy:
        raise InvalidValue(_("{busy} is in progress in the repository: finish it first").format(busy=_(busy)))
    paths = [path for _status, path, _old in commit.files]
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


def _undo_message(subject: str) -> str:
    """`undo: …` of a command; undoing an undo is a `redo: …` of it, and so on."""
    if subject.startswith("undo: "):
        return "redo: " + subject.removeprefix("undo: ")
    return "undo: " + subject.removeprefix("redo: ")


def install_hooks(repo) -> list[str]:
    """The merge driver and pre-commit hook in this repository, and the driver's line in
    `.gitattributes` (a file of the data, so written and committed like a record)."""
    repo.refuse_if_past()
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
