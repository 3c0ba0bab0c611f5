"""The record kinds: where each lives in the data directory, how its ids look, its schema.

A record's reference is its path without `.yaml` (`customers/acme`,
`interactions/2026/11/IN-20261120-7KQ2`); the folder names the kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _


class Kind(NamedTuple):
    """A kind of record: its folder, its schema, how its ids and subfolders are made. A named
    tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of the cost."""

    name: str
    folder: str
    schema: str
    id_prefix: str | None = None
    """Prefix of random ids (`IN`); None for kinds named by a slug of their name."""
    dated_by: str | None = None
    """The field whose date files the record under `<YYYY>/` (and `<MM>/` when by_month)."""
    by_month: bool = False
    title_field: str = "name"
    is_party: bool = False
    only_for: Mapping[str, tuple[str, ...]] = MappingProxyType({})
    """Fields a shared schema has that only some kinds may use: {"lifecycle": ("customer",)}."""
    prefix_by: tuple[str, dict[str, str]] | None = None
    """For kinds whose id prefix depends on a field: ("kind", {"sale": "SO", "purchase": "PO"})."""
    timeless: bool = False
    """A directory entry (party, product, target; a campaign, whose own window says when it
    runs), not something that happened: a view pinned to a day (`--today`) shows it whenever
    it was typed in; every other kind is dated (its `at`, `date`, else `created`) and appears
    only from its day on."""

    def prefix_for(self, record: dict) -> str:
        """The prefix of a new record's random id; kinds named by a slug have none."""
        if self.prefix_by:
            field, prefixes = self.prefix_by
            return prefixes[record[field]]
        if self.id_prefix is None:
            raise TypeError(f"{self.name} records are named, not given random ids")
        return self.id_prefix

    def subfolder(self, record: dict) -> str:
        """`interactions/2026/11`, `orders/2026`, or just the folder for flat kinds."""
        if not self.dated_by:
            return self.folder
        stamp = str(record[self.dated_by])
        parts = [self.folder, stamp[:4]]
        if self.by_month:
            parts.append(stamp[5:7])
        return "/".join(parts)

    def ref(self, record: dict) -> str:
        return f"{self.subfolder(record)}/{record['id']}"


# Names and folders are marked for the catalog: messages show them as `_(kind.name)`.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(N_("customer"), N_("customers"), "party", is_party=True, timeless=True),
        Kind(N_("supplier"), N_("suppliers"), "party", is_party=True, only_for={"lifecycle": ("customer",)},
             timeless=True),
        Kind(N_("interaction"), N_("interactions"), "interaction", id_prefix="IN",
             dated_by="at", by_month=True, title_field="summary"),
        Kind(N_("product"), N_("products"), "product", timeless=True),
        Kind(N_("order"), N_("orders"), "order", id_prefix="SO", dated_by="date",
             prefix_by=("kind", {"sale": "SO", "purchase": "PO"}), title_field="id"),
        Kind(N_("contract"), N_("contracts"), "contract", id_prefix="CT", title_field="title"),
        Kind(N_("deal"), N_("opportunities"), "deal", id_prefix="DL", title_field="title"),
        Kind(N_("ticket"), N_("tickets"), "ticket", id_prefix="TK", title_field="subject"),
        Kind(N_("campaign"), N_("campaigns"), "campaign", id_prefix="CP", title_field="name", timeless=True),
        Kind(N_("target"), N_("targets"), "target", title_field="id", timeless=True),
        Kind(N_("reminder"), N_("reminders"), "reminder", id_prefix="RM", title_field="text"),
    )
}
BY_FOLDER = {kind.folder: kind for kind in KINDS.values()}
PARTY_KINDS = tuple(kind for kind in KINDS.values() if kind.is_party)
TIMELESS = tuple(kind.name for kind in KINDS.values() if kind.timeless)


def plays(kind: Kind, data: dict, role: str) -> bool:
    """Whether a party plays `role` (customer or supplier): the kind its file is filed under,
    or one of its `roles` (客商: one record that is both, in one file, under one id)."""
    return kind.name == role or role in (data.get("roles") or [])


def kind_named(name: str) -> Kind:
    """The kind called `name` (singular or its folder's plural)."""
    key = name.strip().lower()
    kind = KINDS.get(key) or BY_FOLDER.get(key)
    if kind is None:
        raise InvalidValue(_("unknown record kind {name!r} (known: {kinds})").format(name=name, kinds=", ".join(KINDS)))
    return kind


def kind_of_ref(ref: str) -> Kind | None:
    """The kind a reference or relative path belongs to, from its first folder."""
    return BY_FOLDER.get(ref.split("/", 1)[0])


def known_kind(ref: str) -> Kind:
    """The kind of a reference that is known to be a record's (the index holds only those)."""
    return BY_FOLDER[ref.split("/", 1)[0]]


def title_of(kind: Kind, record: dict) -> str:
    """What a person calls this record in a list: its name, or an interaction's summary."""
    return str(record.get(kind.title_field) or record.get("id") or "")
