"""Status machines with history: orders, contracts, and later deals and tickets.

A move is checked against the machine, appended to the record's `history` with who,
when and why, and sets `status`. An illegal move is refused with the moves allowed.
"""

from __future__ import annotations

from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import _


class Workflow(NamedTuple):
    """A status machine: the state a record starts in and the moves allowed from each. A named
    tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of the cost."""

    name: str
    initial: str
    moves: dict[str, tuple[str, ...]]
    """state → states it may move to."""

    @property
    def states(self) -> tuple[str, ...]:
        seen = [self.initial]
        for source, targets in self.moves.items():
            for state in (source, *targets):
                if state not in seen:
                    seen.append(state)
        return tuple(seen)

    def move(self, record: dict, target: str, at: str, by: str | None = None, note: str | None = None) -> None:
        current = record.get("status", self.initial)
        if target not in self.states:
            raise InvalidValue(_("unknown {workflow} status {status!r} (one of {states})").format(
                workflow=_(self.name), status=target, states=", ".join(self.states)))
        allowed = self.moves.get(current, ())
        if target not in allowed:
            options = ", ".join(_(state) for state in allowed) if allowed else _("none, it is final")
            raise InvalidValue(_("{id} is {current}: cannot move to {target} (allowed: {options})").format(
                id=record.get("id") or _("a new {workflow}").format(workflow=_(self.name)), current=_(current),
                target=_(target), options=options))
        record.setdefault("history", []).append(_entry(at, target, by, note))
        record["status"] = target

    def start(self, record: dict, at: str, by: str | None = None, status: str | None = None) -> None:
        """Begin the history of a new record, in `status` if given: every move of the shortest
        way there is recorded (an order added as shipped was confirmed first)."""
        record["status"] = self.initial
        record["history"] = [_entry(at, self.initial, by)]
        for step in self.way(status) if status else ():
            self.move(record, step, at, by)

    def way(self, status: str) -> list[str]:
        """The states passed through, shortest way first, from the start to `status` (refused
        with the moves from the start when there is none)."""
        ways: dict[str, list[str]] = {self.initial: []}
        queue = [self.initial]
        while queue and status not in ways:
            current = queue.pop(0)
            for following in self.moves.get(current, ()):
                if following not in ways:
                    ways[following] = [*ways[current], following]
                    queue.append(following)
        if status not in ways:
            self.move({"status": self.initial}, status, "")  # raises: unknown, or not reachable from the start
        return ways[status]

    def arrive(self, record: dict, status: str, at: str, by: str | None = None, note: str | None = None) -> None:
        """Begin the history of a record that comes in already in `status` (an import): one
        entry that says so, instead of moves that never happened here."""
        if status not in self.states:
            raise InvalidValue(_("unknown {workflow} status {status!r} (one of {states})").format(
                workflow=_(self.name), status=status, states=", ".join(self.states)))
        record["status"] = status
        record["history"] = [_entry(at, status, by, note)]


def _entry(at: str, status: str, by: str | None = None, note: str | None = None) -> dict:
    entry = {"at": at, "status": status}
    if by:
        entry["by"] = by
    if note:
        entry["note"] = note
    return entry


ORDER = Workflow("order", "draft", {
    "draft": ("submitted", "cancelled"),
    "submitted": ("confirmed", "draft", "cancelled"),
    "confirmed": ("shipped", "delivered", "cancelled"),
    "shipped": ("shipped", "delivered", "cancelled"),
    "delivered": ("completed",),
    "closed": (),
})
"""Submitted is under review; confirmed is approved (only after review); a shipped order may
ship again (another part); `closed` is what crm before 0.1.0 called completed, kept readable
and final."""
ORDER_WITHOUT_REVIEW = ORDER._replace(moves={**ORDER.moves, "draft": ("submitted", "confirmed", "cancelled")})
"""The order machine of a firm that reviews nothing (`orders: {review: false}` in crm.yaml, a
one-person business): a draft may be confirmed at once."""


def order_workflow(review: bool) -> Workflow:
    """The order machine, with the review step required (`review`) or optional."""
    return ORDER if review else ORDER_WITHOUT_REVIEW
CONTRACT = Workflow("contract", "draft", {
    "draft": ("review", "terminated"),
    "review": ("draft", "signed", "terminated"),
    "signed": ("active", "renewed", "terminated"),
    "active": ("expired", "renewed", "terminated"),
    "expired": ("renewed", "archived"),
    "renewed": ("archived",),
    "terminated": ("archived",),
})


MOVED_FIELDS = {"order": "status", "contract": "status", "ticket": "status", "deal": "stage"}
"""The kinds whose state moves with a `history` of `{at, status}` entries, each with the field
a move sets (a deal's history records its stage): what a view pinned to a day winds back
(`moved_as_of`; the store does the same in SQL)."""


def moved_as_of(record: dict, field: str, day: str) -> dict:
    """The record as it stood at the end of `day` (ISO), for a view pinned to that day: the
    moves of its history made later are not there yet, and `field` is the state of the last
    move left. A record none of whose moves came later is unchanged, as is one all of whose
    moves came later (it was typed in with its state after the day it is dated: that state
    is all we know of it then)."""
    history = record.get("history")
    if not isinstance(history, list):
        return record
    kept = [entry for entry in history if not _later(entry, day)]
    if len(kept) == len(history):
        return record
    moved = {**record, "history": kept}
    state = next((entry["status"] for entry in reversed(kept)
                  if isinstance(entry, dict) and entry.get("status") is not None), None)
    if state is not None:
        moved[field] = state
    return moved


def _later(entry, day: str) -> bool:
    """Whether a history entry was made after `day` (on the day part of its moment)."""
    return isinstance(entry, dict) and str(entry.get("at") or "")[:10] > day
