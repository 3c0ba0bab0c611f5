"""A record as the rest of the code sees it: where it lives, its kind, its fields."""

from __future__ import annotations

from dataclasses import dataclass

from crmcli.model.kinds import Kind, title_of
from crmcli.model.locked import Locked


@dataclass
class Record:
    ref: str
    kind: Kind
    data: dict

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
