"""A record as the rest of the code sees it: where it lives, its kind, its fields."""

from __future__ import annotations

from crmcli.model.kinds import Kind, title_of
from crmcli.model.locked import Locked


class Record:
    """One record: its reference (`customers/acme`), its kind and its fields. A plain class,
    not a dataclass: every command defines it at start-up, and a dataclass costs about half a
    millisecond to define; equal records are still equal."""

    __slots__ = ("ref", "kind", "data")
    __hash__ = None  # type: ignore[assignment]  # equal by value, and changed in place: not a key

    def __init__(self, ref: str, kind: Kind, data: dict):
        self.ref = ref
        self.kind = kind
        self.data = data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.ref, self.kind, self.data) == (other.ref, other.kind, other.data)

    def __repr__(self) -> str:
        return f"Record({self.ref!r}, {self.kind.name!r}, {self.data!r})"

    @property
    def id(self) -> str:
        return str(self.data.get("id", self.ref.rsplit("/", 1)[-1]))

    @property
    def title(self) -> str:
        return title_of(self.kind, self.data)

    @property
    def path(self) -> str:
        return self.ref + ".yaml"


def leaves(value, path: str = "") -> list[tuple[str, object]]:
    """(dotted field path without list positions, scalar) for every value in a record:
    `contacts[1].phones[0]` is reported as `contacts.phones`. A locked value has none to give.
    A list made by one recursive function, not a generator of generators: indexing calls
    this for every record, and each nested `yield from` cost a frame per value."""
    found: list[tuple[str, object]] = []

    def visit(items, path: str, keyed: bool) -> None:
        for key, item in items:
            where = (f"{path}.{key}" if path else str(key)) if keyed else path
            if isinstance(item, dict):
                visit(item.items(), where, True)
            elif isinstance(item, list):
                visit(((None, each) for each in item), where, False)
            elif item is not None and not isinstance(item, Locked):
                found.append((where, item))

    visit([("", value)], path, False)
    return found
