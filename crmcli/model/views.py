"""The plain result types that use cases return and renderers turn into output.

A `Table` is rows of cells under columns; a `Fields` block is label/value pairs; a
`Document` is titled parts plus the data that `--format json` prints. Cells hold
plain values (text, Decimal, dates); renderers decide how they look.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from crmcli.i18n import N_

Align = Literal["left", "center", "right"]

KEEP, NORMAL, LOW = 0, 1, 2
"""Column priorities, for a terminal too narrow for every column: KEEP columns (the name, the
thing the view is about, amounts) are never dropped, LOW ones go first, then NORMAL ones."""


class Column(NamedTuple):
    """One column of a `Table`: the row key it shows, its header and how its cells look. A
    named tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of
    the cost."""

    key: str
    header: str
    align: Align = "left"
    style: str | None = None
    """A hint for terminals: "money", "date", "muted", "status"…"""
    translate: bool = False
    """The cells are interface words (a status, a stage, a type), shown in the run's language."""
    priority: int | None = None
    """KEEP, NORMAL or LOW (see above). None: money, the `currency` beside it (an amount read
    without it misleads when rows mix currencies) and a table's first column are KEEP, ids
    (style "id") are shortened and dropped by their own rule, anything else is NORMAL."""
    cell: str | None = None
    """What a spreadsheet should make of the cells: "date", "moment" or "money" (in the row's
    `currency`); others are written as they are."""


class Table:
    """Rows of cells under columns. A plain class, as Fields and Document: a dataclass costs
    about half a millisecond to define, at every command's start."""

    __slots__ = ("columns", "rows", "title", "records", "empty")

    def __init__(self, columns: list[Column], rows: list[dict], title: str | None = None,
                 records: list[dict] | None = None, empty: str = N_("nothing to show")):
        self.columns = columns
        self.rows = rows
        self.title = title
        self.records = records
        """What json/jsonl print: the records as stored, when the rows stand for records."""
        self.empty = empty

    def data(self) -> list[dict]:
        return self.records if self.records is not None else self.rows


class Fields:
    """Label/value pairs."""

    __slots__ = ("items", "title")

    def __init__(self, items: list[tuple[str, object]], title: str | None = None):
        self.items = items
        self.title = title


class Document:
    """Titled parts, and what `--format json` prints of the whole."""

    __slots__ = ("parts", "title", "payload")

    def __init__(self, parts: Sequence[Table | Fields], title: str | None = None, payload: dict | None = None):
        self.parts = parts
        self.title = title
        self.payload = payload if payload is not None else {}
        """What json prints: the whole result as data."""
