"""`crm sync` gives this clone's side of an id created on both sides (store/collisions.py)
another id before the two histories meet.

Which side: ours. The remote's record is published, and other clones may already have
logged calls or orders against its id; ours has been seen by no one, so renaming it
changes nothing anyone else holds. The rename is made in this clone's unpublished commits,
as if the record had been added under its new id from the start, with every record those
commits wrote that names it pointed at the new id (`rewritten`, as `crm merge` does): the
rebase that follows then meets no twin, and the history sync publishes never had one.
"""

from __future__ import annotations

from crmcli.actions.merge import rewritten
from crmcli.errors import GitError
from crmcli.i18n import _
from crmcli.model.kinds import kind_of_ref
from crmcli.store import codec, document
from crmcli.store.collisions import Twin, new_ref, twins_between
from crmcli.store.git import WorkTree, changed_since, merge_base, rewrite_commits


def rename_our_twins(tree: WorkTree, upstream: str) -> list[str]:
    """Find the twins that rebasing onto `upstream` would meet and rename ours (see the
    module's docstring); returns a note for each. Refused while record files have
    uncommitted changes: those could name the record and would not follow the rename."""
    twins = twins_between(tree, "HEAD", upstream)
    if not twins:
        return []
    shown = tree.out("rev-parse", "--abbrev-ref", upstream)
    changed = [path.removeprefix(tree.prefix) for path in tree.status(["."])]
    waiting = [path for path in changed if kind_of_ref(path) and path.endswith(".yaml")]
    if waiting:
        raise GitError(_("{path} was added here and on {upstream} as two different records; sync gives yours "
                         "another id in your commits, so commit your changes first ({changed} is not committed), "
                         "then crm sync again").format(path=twins[0].path, upstream=shown, changed=waiting[0]))
    base = merge_base(tree, "HEAD", upstream)
    assert base is not None  # twins come from two histories that met
    renames = {twin.ref: new_ref(tree, twin, ("HEAD", upstream)) for twin in twins}
    done: dict[tuple[str, str], bytes | None] = {}
    pointed: set[str] = set()

    def edit(commit: str) -> dict[str, bytes | None]:
        changed = changed_since(tree, base, commit)
        todo = [(path, blob) for path, blob in changed.items() if (path, blob) not in done]
        for (path, blob), data in zip(todo, tree.blobs([blob for _path, blob in todo]), strict=True):
            done[(path, blob)] = _renamed(path, data, renames)
        changes: dict[str, bytes | None] = {}
        for path, blob in changed.items():
            text = done[(path, blob)]
            if text is not None and path[:-5] in renames:
                changes[path], changes[f"{renames[path[:-5]]}.yaml"] = None, text
            elif text is not None:
                changes[path] = text
                pointed.add(path)
        return changes

    head = rewrite_commits(tree, upstream, edit)
    if head is not None:
        tree.run("reset", "--quiet", "--keep", head)
    return [_note(twin, renames[twin.ref], shown) for twin in twins] + (
        [_("{count} record(s) of yours that named them now name the new ids").format(count=len(pointed))]
        if pointed else [])


def _renamed(path: str, data: bytes | None, renames: dict[str, str]) -> bytes | None:
    """The file at `path` with the renames made (its own id, references to others), or None
    when it does not change: not a record, not readable, naming none of them."""
    kind = kind_of_ref(path)
    own = path[:-5] in renames
    if data is None or kind is None or not path.endswith(".yaml"):
        return None
    if not own and not any(old.encode("utf-8") in data for old in renames):
        return None
    try:
        text = data.decode("utf-8")
        plain = codec.decode(data)
    except (UnicodeDecodeError, codec.RecordSyntaxError):
        return None
    changed = plain
    for old, new in renames.items():
        changed = rewritten(changed, old, new)
    if own:
        changed = {**changed, "id": renames[path[:-5]].rsplit("/", 1)[-1]}
    return None if changed == plain else document.render(changed, kind.schema, text, plain).encode("utf-8")


def _note(twin: Twin, new: str, upstream: str) -> str:
    return _("{path}: {ours} was added here and {theirs} on {upstream}, two records with one id: yours is now "
             "{new}").format(path=twin.path, ours=twin.described(twin.ours), theirs=twin.described(twin.theirs),
                             upstream=upstream, new=new)
