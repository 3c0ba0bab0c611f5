"""Dates within one record that must come in order: a contract cannot end before it starts,
nor an order fall due before it was placed. A JSON Schema cannot compare two fields, so these
rules sit beside it: every write (a command, `crm edit`, an import) is refused by them
(store/validation.refuse_invalid), and `crm check` reports what a hand edit or a pull brought
in. Unlike a schema problem, such a file is still read: an order due a day early is still
money owed, and leaving it out of the ledger would be worse than showing it."""

from __future__ import annotations

from crmcli.i18n import _

IN_ORDER: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "contract": [(("start",), ("end",))],
    "campaign": [(("start",), ("end",))],
    "order": [(("date",), ("delivery_due",)), (("date",), ("payment_due",)), (("date",), ("delivered",))],
    "ticket": [(("opened",), ("due",)), (("opened",), ("resolved",))],
    "interaction": [(("at",), ("next", "due"))],
}
"""Per kind, (earlier field, later field) pairs, each a path into the record. Days are compared
(a moment's first ten characters, in the zone it was written in): a ticket opened in the
evening may be due the same day."""


def _at(record: dict, path: tuple[str, ...]):
    value: object = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def out_of_order(kind: str, record: dict) -> list[tuple[list, str]]:
    """(field path, message) for each date of `record` that comes before the one it follows."""
    problems: list[tuple[list, str]] = []
    for earlier, later in IN_ORDER.get(kind, ()):
        first, last = _at(record, earlier), _at(record, later)
        if isinstance(first, str) and isinstance(last, str) and last[:10] < first[:10]:
            problems.append((list(later), _("{later}: {day} is before {earlier} ({first})").format(
                later=".".join(later), day=last[:10], earlier=".".join(earlier), first=first[:10])))
    return problems
