"""Contract terms: how long one term runs, and which term of an auto-renewing contract is in
force on a given day (it renews itself on its end date, term after term, with no one
having to write that down)."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

IN_FORCE = ("signed", "active")
MOST_TERMS = 1200
"""A bound on the terms rolled forward (a one-day term renewed daily for three years)."""


def _months(count: int):
    return relativedelta(months=count)


def next_term(start: date | None, end: date) -> tuple[date, date]:
    """The term that follows `start`..`end`: as many whole months when the term is whole
    months (2026-01-01..2026-12-31 → all of 2027), else as many days; a year without a start."""
    following = end + timedelta(days=1)
    if start is None:
        return following, following + _months(12) - timedelta(days=1)
    months = (following.year - start.year) * 12 + following.month - start.month
    if months > 0 and start + _months(months) == following:
        return following, following + _months(months) - timedelta(days=1)
    return following, following + (following - start) - timedelta(days=1)


def current_term(data: dict, today: date) -> tuple[date | None, date | None, int]:
    """(start, end, renewals) of the term in force `today`: the contract's own, or, for an
    auto-renewing one in force whose end has passed, the term it has renewed itself into."""
    start = date.fromisoformat(str(data["start"])) if data.get("start") else None
    end = date.fromisoformat(str(data["end"])) if data.get("end") else None
    renewals = 0
    if end is None or not data.get("auto_renew") or data.get("status") not in IN_FORCE:
        return start, end, renewals
    while end < today and renewals < MOST_TERMS:
        start, end = next_term(start, end)
        renewals += 1
    return start, end, renewals
