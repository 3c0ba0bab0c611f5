"""One thing to be reminded of, whichever rule raised it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import quote

from crmcli.i18n import N_

RULE_LABELS = {
    "reminder": N_("reminder"),
    "next_steps": N_("next step"),
    "follow_up": N_("follow up"),
    "birthdays": N_("birthday"),
    "renewals": N_("renewal"),
    "deliveries": N_("delivery"),
    "payments": N_("payment"),
    "deals": N_("deal"),
    "tickets": N_("ticket"),
    "targets": N_("target"),
}


class Item(NamedTuple):
    """One thing due, from one rule and one record. A named tuple, not a dataclass: the
    agenda's commands define it at start-up, at a fraction of the cost."""

    due: date
    rule: str
    reason: str
    ref: str
    """The record it comes from, as a reference (`orders/2026/SO-…`)."""
    party: str | None = None
    owner: str | None = None
    at: datetime | None = None
    """The time of day it is due, when that matters (a ticket's service level, a timed reminder)."""
    notice: bool = False
    """News (a birthday, a target reached) lapses once its day is past instead of turning overdue."""
    amount: Decimal | None = None
    currency: str | None = None
    once: str | None = None
    """For news said only once (a target reached): the key under which it is kept as said."""
    key: str = ""
    """What tells apart the items one rule raises from one record (a contact's name for birthdays)."""

    @property
    def id(self) -> str:
        return self.ref.rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        return RULE_LABELS[self.rule]

    def uid(self) -> str:
        """Stable across runs, so a calendar that imports it again updates instead of duplicating;
        unique, as calendars keep one entry per UID (two birthdays at one party are two)."""
        return f"{self.ref}#{self.rule}" + (f"/{quote(self.key, safe='')}" if self.key else "")

    def as_dict(self, party_name: str | None) -> dict:
        data: dict[str, object] = {"due": self.due.isoformat(), "rule": self.rule, "reason": self.reason, "id": self.id,
                "ref": self.ref, "party": self.party, "party_name": party_name, "owner": self.owner}
        if self.at is not None:
            data["at"] = self.at.isoformat()
        if self.amount is not None:
            data["amount"], data["currency"] = self.amount, self.currency
        return data
