"""Ids created twice: one record file added on both sides of a merge by two different records.

A party's id is a slug of its name, so "Acme Corp" added in one clone and "Acme Ltd" in
another are both `customers/acme.yaml`. Git sees one file added twice and merges the two
companies into one, field by field, stopping only at their names and creation times. So
before two histories meet (`crm sync`, and `crm check` against what was fetched) and while
a plain `git pull` is stopped on such a file (`crm check`), the file is read on both sides.

What makes a record the same record is its `created`, which crm sets once, when it adds it:
the same addition reaching both sides (a cherry-pick, a patch applied twice) has the same
`created` and merges as usual; two additions made apart never do. Only the kinds whose ids
crm picks are looked at, parties (a slug of the name) and the random ids: a product's SKU or
a target's id is a name the business gives, so the same SKU added twice is one product,
whose fields merge.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from crmcli.model.ids import another_id
from crmcli.model.kinds import Kind, kind_of_ref, title_of
from crmcli.store import codec
from crmcli.store.git import WorkTree, changed_since, merge_base

ABORT = {"a merge": "git merge --abort", "a rebase": "git rebase --abort",
         "a cherry-pick": "git cherry-pick --abort", "a revert": "git revert --abort"}
"""How the user steps back out of what git is in the middle of (`WorkTree.in_progress`)."""


@dataclass(frozen=True)
class Twin:
    """A file added on both sides by two different records: this clone's and the other side's."""

    path: str
    """Relative to the data directory: `customers/acme.yaml`."""
    ours: dict
    theirs: dict

    @property
    def ref(self) -> str:
        return self.path[:-5]

    @property
    def kind(self) -> Kind:
        kind = kind_of_ref(self.path)
        assert kind is not None  # only record files become twins
        return kind

    def described(self, side: dict) -> str:
        """How a person tells the two apart: a side's name (or title) and when it was added."""
        return f"{title_of(self.kind, side)} ({side.get('created')})"


def _named_by_crm(path: str) -> bool:
    kind = kind_of_ref(path)
    return path.endswith(".yaml") and kind is not None and (kind.is_party or kind.id_prefix is not None)


def twins_between(tree: WorkTree, ours: str, theirs: str) -> list[Twin]:
    """The twins the merge of commits `ours` and `theirs` would meet: files each added since
    the commit they share, as different records."""
    base = merge_base(tree, ours, theirs)
    if base is None:
        return []
    mine, other = changed_since(tree, base, ours, "A"), changed_since(tree, base, theirs, "A")
    return _twins(tree, [(path, blob, other[path]) for path, blob in sorted(mine.items())
                         if path in other and other[path] != blob and _named_by_crm(path)])


def unmerged_twins(tree: WorkTree) -> list[Twin]:
    """The twins a stopped merge, rebase, cherry-pick or revert holds: files in conflict that
    have no common version (added on both sides). In a rebase, this clone's side is the
    commit being replayed (git's "theirs")."""
    stages: dict[str, dict[str, str]] = defaultdict(dict)
    for entry in tree.run("ls-files", "-u", "-z").stdout.decode("utf-8", "surrogateescape").split("\0"):
        if "\t" in entry:
            info, path = entry.split("\t", 1)
            _mode, blob, stage = info.split()
            stages[path][stage] = blob
    ours, theirs = ("3", "2") if tree.in_progress() == "a rebase" else ("2", "3")
    return _twins(tree, [(path, found[ours], found[theirs]) for path, found in sorted(stages.items())
                         if "1" not in found and ours in found and theirs in found and _named_by_crm(path)])


def _twins(tree: WorkTree, candidates: list[tuple[str, str, str]]) -> list[Twin]:
    """Those of (path, our blob, their blob) that hold two different records; a side that
    does not parse is left to the merge, which reports it."""
    blobs = tree.blobs([blob for _path, *pair in candidates for blob in pair])
    twins = []
    for position, (path, _ours, _theirs) in enumerate(candidates):
        try:
            sides = [codec.decode(data or b"") for data in blobs[2 * position:2 * position + 2]]
        except codec.RecordSyntaxError:
            continue
        if str(sides[0].get("created")) != str(sides[1].get("created")):
            twins.append(Twin(path, *sides))
    return twins


def new_ref(tree: WorkTree, twin: Twin, revisions: tuple[str, ...]) -> str:
    """The reference this clone's twin takes instead: the next id free in each of `revisions`
    and in the work tree (`acme` → `acme-2`; a fresh random id for the random kinds)."""
    folder, old_id = twin.ref.rsplit("/", 1)
    taken = {entry.name for entry in (tree.root / folder).glob("*.yaml")}
    for revision in revisions:
        listing = tree.run("ls-tree", "--name-only", "-z", f"{revision}:./{folder}", check=False).stdout
        taken.update(listing.decode("utf-8", "surrogateescape").split("\0"))
    return f"{folder}/{another_id(old_id, lambda candidate: f'{candidate}.yaml' in taken)}"
