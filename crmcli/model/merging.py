"""Folding one party record into another: what `crm merge` and an import's update do.

Lists are combined without repeats (tags, phones, emails, addresses), contacts by
name, external ids and custom fields by key, notes one after the other, the older
`created` kept. Two different values of one field are a conflict that `decide`
settles ("a" keeps the first record's, "b" takes the second's).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.text import fold

Decide = Callable[["Conflict"], str]
KEYED = ("external_ids", "custom", "im")
"""Mappings combined key by key."""


class Conflict(NamedTuple):
    """A field the two records fill differently. A named tuple, not a frozen dataclass:
    `crm customer add` defines it at start-up, at a fraction of the cost."""

    field: str
    a: object
    b: object
    kept: str | None = None
    """"a" or "b" once decided."""


def _union(a: list, b: list) -> list:
    merged = list(a)
    merged += [item for item in b if item not in merged]
    return merged


class Folder:
    """One fold of `b` into `a`; conflicts go to `decide`, or are collected when it is None."""

    def __init__(self, decide: Decide | None):
        self.decide = decide
        self.conflicts: list[Conflict] = []

    def value(self, where: str, a, b):
        if a == b or b in (None, "", [], {}):
            return a
        if a in (None, "", [], {}):
            return b
        conflict = Conflict(where, a, b)
        kept = self.decide(conflict) if self.decide is not None else None
        self.conflicts.append(conflict._replace(kept=kept))
        return b if kept == "b" else a

    def mapping(self, where: str, a: dict, b: dict, skip=()) -> dict:
        merged = dict(a)
        for key, theirs in b.items():
            if key in skip:
                continue
            path = f"{where}.{key}" if where else key
            if key == "contacts":
                merged[key] = self.contacts(a.get(key) or [], theirs)
            elif key in ("notes", "body") and a.get(key) and theirs and theirs not in a[key]:
                merged[key] = a[key].rstrip("\n") + "\n" + theirs
            elif key == "lifecycle_history":
                merged[key] = sorted(_union(a.get(key) or [], theirs), key=lambda entry: str(entry.get("at")))
            elif key in KEYED and isinstance(theirs, dict):
                merged[key] = self.mapping(path, a.get(key) or {}, theirs)
            elif isinstance(theirs, list) and isinstance(a.get(key), list):
                merged[key] = _union(a[key], theirs)
            else:
                merged[key] = self.value(path, a.get(key), theirs)
        return merged

    def contacts(self, ours: list[dict], theirs: list[dict]) -> list[dict]:
        merged = [dict(contact) for contact in ours]
        by_name = {fold(str(c.get("name", ""))): position for position, c in enumerate(merged)}
        has_primary = any(c.get("primary") for c in merged)
        for contact in theirs:
            position = by_name.get(fold(str(contact.get("name", ""))))
            if position is None:
                added = {k: v for k, v in contact.items() if not (k == "primary" and has_primary)}
                merged.append(added)
                has_primary = has_primary or bool(added.get("primary"))
            else:
                merged[position] = self.mapping(f"contacts[{merged[position]['name']}]", merged[position], contact,
                                                skip=("primary",))
        return merged


def fold_records(a: dict, b: dict, decide: Decide | None = None) -> tuple[dict, list[Conflict]]:
    """`b` folded into a copy of `a` (keeping a's id), and the conflicts met on the way."""
    folder = Folder(decide)
    merged = folder.mapping("", copy.deepcopy(a), copy.deepcopy(b), skip=("id", "created", "updated"))
    if b.get("created") and a.get("created"):
        merged["created"] = min(str(a["created"]), str(b["created"]))
    return merged, folder.conflicts


def prefer(choice: str | None) -> Decide | None:
    """A decider that always keeps the same side, from `--prefer a|b` (None: none given)."""
    if choice is None:
        return None
    if choice not in ("a", "b"):
        raise InvalidValue(_("--prefer {choice!r}: use a or b").format(choice=choice))
    return lambda conflict: choice
