"""Reporting periods people type: `2026`, `2026-Q3`, `2026-10`, `2026-10-01..2026-12-31`,
`last-12-months`, `ytd`, `this-month`, `last-month`."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.dates import month_end

YEAR = re.compile(r"^(\d{4})$")
QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HINT = N_("use 2026, 2026-Q3, 2026-10, 2026-10-01..2026-12-31, last-12-months, ytd, this-month or last-month")


class Period(NamedTuple):
    """The days from `start` to `end`, both included. A named tuple, not a frozen dataclass:
    defining one costs a fifth as much, at every command's start. Its `in` is for days, not
    for the tuple's own three values."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(text: str, today: date) -> Period:
    """The period `text` names, as of `today`; anything else is refused with the forms allowed."""
    raw = text.strip()
    low = raw.lower()
    try:
        if match := YEAR.match(raw):
            year = int(match[1])
            return Period(date(year, 1, 1), date(year, 12, 31), raw)
        if match := QUARTER.match(raw):
            start = date(int(match[1]), 3 * int(match[2]) - 2, 1)
            return Period(start, month_end(_add_months(start, 2)), raw.upper())
        if match := MONTH.match(raw):
            start = date(int(match[1]), int(match[2]), 1)
            return Period(start, month_end(start), raw)
        if ".." in raw:
            low_text, high_text = raw.split("..", 1)
            start, end = date.fromisoformat(low_text.strip()), date.fromisoformat(high_text.strip())
            if end < start:
                raise InvalidValue(_("period {text!r} ends before it starts").format(text=raw))
            return Period(start, end, raw)
    except ValueError:
        raise InvalidValue(_("invalid period {text!r}: no such day or month ({hint})").format(text=raw,
                                                                                             hint=_(HINT))) from None
    if low == "ytd":
        return Period(date(today.year, 1, 1), today, f"{today.year} to date")
    if low == "last-12-months":
        return Period(_add_months(today.replace(day=1), -11), today, "last 12 months")
    if low == "this-month":
        return Period(today.replace(day=1), month_end(today), f"{today:%Y-%m}")
    if low == "last-month":
        start = _add_months(today.replace(day=1), -1)
        return Period(start, month_end(start), f"{start:%Y-%m}")
    raise InvalidValue(_("invalid period {text!r}: {hint}").format(text=raw, hint=_(HINT)))


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def quarter_key(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def year_key(day: date) -> str:
    return str(day.year)

