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


def leaves(value, path: str = ""):
    """(dotted field path without list positions, scalar) for every value in a record:
    `contacts[1].phones[0]` is reported as `contacts.phones`. A locked value has none to give."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, path)
    elif value is not None and not isinstance(value, Locked):
        yield path, value
