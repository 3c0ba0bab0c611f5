"""Repeating reminders: `2w`, `1m`, `monday`, `3rd monday`, `last friday`, or an RFC 5545 RRULE.

Every form becomes a dateutil `rrule` anchored at the reminder's first due day, so the
series never drifts: a monthly reminder first due on the 31st falls on the last day of
shorter months and returns to the 31st after them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from dateutil import rrule

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.dates import INTERVAL, LONGEST, interval_count
from crmcli.model.phrases import WEEKDAYS

ORDINALS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4,
            "5th": 5, "fifth": 5, "last": -1}
NTH_WEEKDAY = re.compile(r"^(?:every\s+)?(?P<nth>\w+)\s+(?P<day>[a-z]+)(?:\s+of\s+the\s+month)?$")
WEEKDAY_LIST = re.compile(r"^(?:every\s+)?(?P<days>[a-z]+(?:\s*,\s*[a-z]+)*)$")
NAMED = {"daily": "1d", "weekly": "1w", "fortnightly": "2w", "monthly": "1m", "quarterly": "3m",
         "yearly": "1y", "annually": "1y"}
SUB_DAILY = re.compile(r"FREQ=(?:HOURLY|MINUTELY|SECONDLY)\b", re.IGNORECASE)
RRULE_INTERVAL = re.compile(r"\bINTERVAL=(\d+)", re.IGNORECASE)
HINT = N_("use an interval (2w, 1m), a weekday (monday), an nth weekday (3rd monday, last friday) or an RRULE")


def _same_day_each(freq, anchor: date, interval: int) -> dict:
    """Monthly/yearly on the anchor's day of the month, or the month's last day when shorter."""
    arguments = dict(freq=freq, interval=interval)
    if freq == rrule.YEARLY:
        arguments["bymonth"] = anchor.month
    if anchor.day <= 28:
        arguments["bymonthday"] = anchor.day
    else:
        arguments.update(bymonthday=list(range(28, anchor.day + 1)), bysetpos=-1)
    return arguments


def _weekday(name: str):
    index = WEEKDAYS.get(name)
    if index is None:
        raise InvalidValue(_("unknown weekday {name!r} in a repeat rule: {hint}").format(name=name, hint=_(HINT)))
    return rrule.weekday(index)


def _arguments(spec: str, anchor: date) -> dict:
    """rrule keyword arguments for a friendly repeat spec."""
    text = NAMED.get(spec, spec)
    match = INTERVAL.match(text)
    if match:
        count = interval_count(match, spec)
        if count == 0:
            raise InvalidValue(_("repeat every {rule!r}: the interval must be at least 1").format(rule=spec))
        unit = match["unit"]
        if unit == "d":
            return dict(freq=rrule.DAILY, interval=count)
        if unit == "w":
            return dict(freq=rrule.WEEKLY, interval=count)
        return _same_day_each(rrule.MONTHLY if unit == "m" else rrule.YEARLY, anchor, count)
    match = NTH_WEEKDAY.match(text)
    if match and match["nth"] in ORDINALS:
        return dict(freq=rrule.MONTHLY, byweekday=_weekday(match["day"])(ORDINALS[match["nth"]]))
    match = WEEKDAY_LIST.match(text)
    if match:
        return dict(freq=rrule.WEEKLY, byweekday=[_weekday(day.strip()) for day in match["days"].split(",")])
    raise InvalidValue(_("invalid repeat rule {rule!r}: {hint}").format(rule=spec, hint=_(HINT)))


def _check_bounds(rule: str, spec: str) -> None:
    """Refuse an RRULE that repeats more often than daily (counting its seconds from the anchor
    to today would take hours) or whose INTERVAL leaps past any calendar."""
    if SUB_DAILY.search(rule):
        raise InvalidValue(_("invalid RRULE {rule!r}: a reminder repeats at most daily").format(rule=spec))
    if any(int(count) > LONGEST["d"] for count in RRULE_INTERVAL.findall(rule)):
        raise InvalidValue(_("invalid RRULE {rule!r}: INTERVAL is at most {most}").format(rule=spec, most=LONGEST["d"]))


def _rule(spec: str, anchor: date, until: date | None):
    start = datetime.combine(anchor, time(0))
    text = " ".join(str(spec).split()).strip()
    bare = text[6:] if text.upper().startswith("RRULE:") else text
    if bare.upper().startswith("FREQ="):
        _check_bounds(bare, spec)
        try:
            rule = rrule.rrulestr(bare, dtstart=start, ignoretz=True)
        except (ValueError, TypeError) as error:
            raise InvalidValue(_("invalid RRULE {rule!r}: {error}").format(rule=spec, error=error)) from error
        if not isinstance(rule, rrule.rrule):  # an EXDATE, RDATE or second RRULE made it a set
            raise InvalidValue(_("invalid RRULE {rule!r}: {error}").format(
                rule=spec, error=_("one rule only, without EXDATE, RDATE or a second RRULE")))
        return rule.replace(until=datetime.combine(until, time(23, 59))) if until else rule
    arguments = _arguments(text.lower(), anchor)
    if until:
        arguments["until"] = datetime.combine(until, time(23, 59))
    return rrule.rrule(dtstart=start, **arguments)


def check_rule(spec: str, anchor: date, until: date | None = None) -> str:
    """`spec` tidied, or InvalidValue saying why it is no repeat rule."""
    _rule(spec, anchor, until)
    return " ".join(str(spec).split())


def following(spec: str, anchor: date, after: date, until: date | None = None) -> date | None:
    """The first day of the series strictly after `after`; None once it has ended."""
    moment = _rule(spec, anchor, until).after(datetime.combine(after, time(23, 59)))
    return moment.date() if moment else None


def first(spec: str, anchor: date, until: date | None = None) -> date | None:
    """The series' first day on or after `anchor` (`3rd monday` from a Tuesday moves on)."""
    moment = _rule(spec, anchor, until).after(datetime.combine(anchor, time(0)), inc=True)
    return moment.date() if moment else None


def rrule_text(spec: str, anchor: date, until: date | None = None) -> str:
    """The RFC 5545 RRULE value of a spec, for calendar export."""
    lines = str(_rule(spec, anchor, until)).splitlines()
    return next(line for line in lines if line.startswith("RRULE:"))[len("RRULE:"):]
