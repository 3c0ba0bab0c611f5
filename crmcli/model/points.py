"""Loyalty points, pure arithmetic: what a completed sale earns, how a refund takes part of it
back, and a member's history with its running balance.

The rule, stated once: an order earns `points_per_unit` points per unit of the default
currency of what the customer paid for it (its gross, tax included, converted with crm.yaml's
rates) less what was refunded, rounded down to a whole point, once per order, from the exact
Decimal amount. A refund does not round on its own: the order's points are worked out again
from the new amount, and the difference is the adjustment, so an order's points always equal
the rule applied to what is left of it, however many refunds there were.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.locked import Locked
from crmcli.model.money import parse_decimal
from crmcli.model.orders import FINISHED_STATES

EARNING_STATES = tuple(state for state in FINISHED_STATES if state != "cancelled")
"""A sale earns points once it is completed (`closed` in older crm)."""
EARNED, REFUND, REDEEMED = "earned", "refund", "redeemed"
UNREADABLE = "refunds unreadable"
"""The entry of an order whose payments (and so refunds) the user's key cannot read: from it
on, the balance is unknown, never a guess."""


class PointEntry(NamedTuple):
    """One line of a member's points history: `points` is below zero for a refund or a
    redemption; `source` is the order's id, or the redemption's note. A named tuple, not a
    frozen dataclass: `crm show` and `crm today` define it at start-up, at a fifth of the cost."""

    day: str
    what: str
    points: int
    source: str


def points_for(amount: Decimal, per_unit: Decimal) -> int:
    """Whole points for `amount` of the default currency, rounded down; never below zero."""
    return max(0, int((amount * per_unit).to_integral_value(rounding=ROUND_FLOOR)))


def completed_on(order: dict) -> str:
    """The day a sale was completed: its last move to a completed state, else its date."""
    moves = [str(entry["at"])[:10] for entry in order.get("history") or [] if entry.get("status") in EARNING_STATES]
    return max(moves) if moves else str(order["date"])


def parse_points(text) -> int:
    """Points as typed (`500`, `1,000`): a whole number above zero, or one line saying so."""
    value = parse_decimal(text, N_("points"))
    if value <= 0 or value != value.to_integral_value():
        raise InvalidValue(_("points must be a positive whole number, not {text}").format(text=str(text).strip()))
    return int(value)


def order_entries(order: dict, per_unit: Decimal, convert: Callable[[Decimal, str], Decimal]) -> list[PointEntry]:
    """What a completed sale earned, then each refund on it as an adjustment (refunds are its
    payments of `method: refund`, below zero)."""
    if order.get("kind") != "sale" or order.get("status") not in EARNING_STATES:
        return []
    code = order["currency"]
    left = Decimal(order["totals"]["gross"])
    earned = points_for(convert(left, code), per_unit)
    entries = [PointEntry(completed_on(order), EARNED, earned, order["id"])]
    if isinstance(order.get("payments"), Locked):
        return [*entries, PointEntry(completed_on(order), UNREADABLE, 0, order["id"])]
    refunds = sorted((payment for payment in order.get("payments") or [] if payment.get("method") == REFUND),
                     key=lambda payment: str(payment["date"]))
    for refund in refunds:
        left += Decimal(refund["amount"])  # below zero
        now = points_for(convert(left, code), per_unit)
        if now != earned:
            entries.append(PointEntry(str(refund["date"]), REFUND, now - earned, order["id"]))
        earned = now
    return entries


def redemption_entries(membership: dict) -> list[PointEntry]:
    return [PointEntry(str(r["at"])[:10], REDEEMED, -int(r["points"]), str(r.get("note") or ""))
            for r in membership.get("redemptions") or []]


def history(entries: list[PointEntry], since: str | None, until: str) -> list[PointEntry]:
    """The entries from the day the party became a member (`since`) up to `until` (today: a
    view as of a day knows nothing later), oldest first; redemptions come after what was
    earned the same day."""
    kept = [e for e in entries if (since is None or e.day >= since or e.what == REDEEMED) and e.day <= until]
    return sorted(kept, key=lambda e: (e.day, e.what == REDEEMED))


def balance(entries: list[PointEntry]) -> int | None:
    """The points left; None when an order's refunds cannot be read (UNREADABLE)."""
    if any(entry.what == UNREADABLE for entry in entries):
        return None
    return sum(entry.points for entry in entries)
