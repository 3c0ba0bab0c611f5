"""Parsing the dates and moments people type, against one injectable "now".

Every rule that depends on the date asks a `Clock`, so `--today`/`CRM_TODAY` can run
the whole tool as of any day. Moments always carry a zone: a time typed without
one is taken in the data directory's zone (crm.yaml `timezone`, else the system's).
"""

from __future__ import annotations

import calendar
import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crmcli.errors import InvalidValue, Unreadable
from crmcli.i18n import N_, _

INTERVAL = re.compile(r"^(?P<count>\d+)\s*(?P<unit>d|w|m|y)$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[t ]\d", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""The years a typed date may name, as the record schemas allow: far enough from Python's
limits (1 and 9999) that a date plus any interval below, or a zone's offset, stays in range."""
LONGEST = {"d": 9999, "w": 999, "m": 999, "y": 99}
"""The largest count of each interval unit (27, 19, 83 and 99 years), as the schemas allow."""

DATE_ORDERS = ("ymd", "dmy", "mdy")
"""crm.yaml's `date_order`: how a day written in numbers with the year last is read, day first
(`dmy`: 05/12/2027 is 5 December) or month first (`mdy`: 12 May). Unset or `ymd` (only year
first is expected), such a day is taken only when it reads one way and refused otherwise."""

HINT = N_("use YYYY-MM-DD, an ISO moment, today, tomorrow 3pm, +3d, in 2 weeks, next monday, friday 15:00, "
          "end of month, Dec 5, 明天下午3点, 下周一, 三天后, 月底 or 2027年1月5日")


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` as the wall time of `zone`, carrying its fixed UTC offset: Python compares two
    times of one zone object by wall time, which is wrong in the hour a clock goes back."""
    local = moment.astimezone(zone)
    offset = local.utcoffset()
    assert offset is not None  # astimezone gives an aware time
    return local.replace(tzinfo=timezone(offset))


def local_zone(name: str | None = None) -> tzinfo:
    """The zone named in crm.yaml, else the system's local zone."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(_("unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)").format(
                name=name)) from None
    system = datetime.now().astimezone().tzinfo
    assert system is not None  # astimezone gives an aware time
    return system


class Clock(NamedTuple):
    """The one "now" of a run: real time, or pinned to a day (or moment) for tests and reports.
    A named tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of
    the cost."""

    zone: tzinfo
    pinned: datetime | None = None
    date_order: str | None = None
    """crm.yaml's `date_order` (one of DATE_ORDERS): how a day written in numbers is read."""

    @classmethod
    def create(cls, zone: tzinfo, today: str | None = None, date_order: str | None = None,
               pinned_now: str | None = None) -> Clock:
        """A clock in `zone`, pinned to `today` (a date or moment) when given, else to
        `pinned_now` (`CRM_TODAY`). A day alone is taken at the time of day it is now: the
        real one, or `pinned_now`'s when that is a moment, so a run pinned to a moment (tests,
        reproducible reports) stays pinned under `--today DAY` too."""
        if today is not None and not today.strip():
            raise InvalidValue(_("--today is empty: give a day (2026-11-22) or leave it out"))
        text = (today or pinned_now or "").strip()
        if not text:
            return cls(zone, None, date_order)
        try:
            base = cls._pinned(zone, pinned_now.strip(), None) if pinned_now and today else None
            return cls(zone, _in_range(cls._pinned(zone, text, base), text), date_order)
        except InvalidValue as error:
            raise InvalidValue(_("--today: {error}").format(error=error)) from None

    @classmethod
    def _pinned(cls, zone: tzinfo, today: str, base: datetime | None) -> datetime:
        """The moment `--today` names: a day at the time of day of `base` (else the real
        one), or a moment."""
        if not ISO_DATE.match(today):
            return parse_moment(today, cls(zone))
        try:
            day = date.fromisoformat(today)
        except ValueError:
            raise InvalidValue(_("invalid date {text!r}: no such day").format(text=today)) from None
        return datetime.combine(day, (in_zone(base, zone) if base else datetime.now(zone)).time(), zone)

    def now(self) -> datetime:
        moment = self.pinned or datetime.now(self.zone)
        return in_zone(moment, self.zone).replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()


def _parse(text: str, clock: Clock) -> tuple[datetime, bool]:
    """The moment `text` names, and whether it named a time of day (not just a day).
    Everything that is no form of the grammar is refused with what is accepted."""
    raw = text.strip()
    if not raw:
        raise InvalidValue(_("empty date: {hint}").format(hint=_(HINT)))
    try:
        iso = _iso(unicodedata.normalize("NFKC", raw), clock)
        if iso is not None:
            return iso
        # lazy: the phrase grammar compiles 22 patterns, about 2.5 ms (python -X importtime); ISO dates,
        # the form of every date in the files and of CRM_TODAY, do without it
        from crmcli.model import phrases

        return _phrase(phrases.normalized(raw), raw, clock)
    except Unreadable as error:
        raise InvalidValue(_("invalid date {text!r}: {reason}").format(text=raw, reason=error)) from None


def _phrase(low: str, raw: str, clock: Clock) -> tuple[datetime, bool]:
    """The moment the words `low` (`raw` normalized) name, and whether they named a time of day."""
    from crmcli.model import phrases  # lazy: as in `_parse`, the only caller

    if low in ("now", "现在", "此刻"):
        return clock.now(), True
    relative = phrases.read_relative(low, clock.now())
    if relative is not None:
        moment, has_time = relative
        if isinstance(moment, datetime):
            return moment, has_time
        return datetime.combine(moment, time(0), clock.zone), False
    day_text, at = phrases.split_time(low)
    day = clock.today() if not day_text else phrases.read_day(day_text, clock.today()) or \
        _numeric(day_text, raw, clock)
    if day is None:
        raise InvalidValue(_("invalid date {text!r}: {hint}").format(text=raw, hint=_(HINT)))
    return datetime.combine(day, at or time(0), clock.zone), at is not None


def _iso(raw: str, clock: Clock) -> tuple[datetime, bool] | None:
    """An ISO 8601 day (`2026-11-22`) or moment (`2026-11-22T14:30`, `2026-11-22 14:30:00+08:00`)."""
    if ISO_DATE.match(raw):
        try:
            return datetime.combine(date.fromisoformat(raw), time(0), clock.zone), False
        except ValueError:
            raise Unreadable(_("no such day")) from None
    if not ISO_MOMENT.match(raw):
        return None
    try:
        return datetime.fromisoformat(raw.replace("z", "Z")), True
    except ValueError:
        raise Unreadable(_("use 2026-11-22T14:30 or 2026-11-22 14:30:00+08:00")) from None


def _numeric(day_text: str, raw: str, clock: Clock) -> date | None:
    """A day written in numbers with the year last (`05/12/2027`, `5.12.2027`) or left out (`5/12`),
    read in `date_order`. Without one, a day that reads two ways is refused naming both."""
    from crmcli.model import phrases  # lazy: as in `_parse`, the caller's caller

    match = phrases.NUMERIC.match(day_text)
    if not match:
        return None
    if match["year"] is not None and len(match["year"]) != 4:
        raise InvalidValue(_("invalid date {text!r}: write the year in full (2027)").format(text=raw))
    year = int(match["year"] or clock.today().year)
    a, b = int(match["a"]), int(match["b"])
    readings = {"dmy": (b, a), "mdy": (a, b)}
    if clock.date_order in readings:
        month, day = readings[clock.date_order]
        return phrases.calendar_day(year, month, day)
    days = {}
    for order, (month, day) in readings.items():
        with contextlib.suppress(ValueError):
            days[order] = date(year, month, day)
    if not days:
        raise Unreadable(_("no such day"))
    if len(set(days.values())) > 1:
        raise InvalidValue(_("ambiguous date {text!r}: {dmy} (day first) or {mdy} (month first); write it as "
                             "YYYY-MM-DD or set date_order (dmy or mdy) in crm.yaml").format(
            text=raw, dmy=days["dmy"].isoformat(), mdy=days["mdy"].isoformat()))
    return next(iter(days.values()))


def _in_range(moment: datetime, text: str) -> datetime:
    """`moment`, unless its year falls outside FIRST_YEAR…LAST_YEAR."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidValue(_("invalid date {text!r}: out of range (years {first} to {last})").format(
            text=text.strip(), first=FIRST_YEAR, last=LAST_YEAR))
    return moment


def _checked(text: str, clock: Clock) -> tuple[datetime, bool]:
    try:
        moment, has_time = _parse(text, clock)
        return _in_range(moment, text), has_time
    except (OverflowError, ValueError):
        raise InvalidValue(_("invalid date {text!r}: out of range (years {first} to {last})").format(
            text=text.strip(), first=FIRST_YEAR, last=LAST_YEAR)) from None


def parse_moment(text: str, clock: Clock) -> datetime:
    """A moment with a zone; a day without a time means the start of that day."""
    moment, _ = _checked(text, clock)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.zone)
    return moment.replace(microsecond=0)


def parse_day(text: str, clock: Clock) -> date:
    """A calendar day, read in the data directory's zone."""
    moment, _ = _checked(text, clock)
    if moment.tzinfo is not None:
        moment = moment.astimezone(clock.zone)
    return moment.date()


def happened_day(text: str | None, clock: Clock, option: str, *, not_before: date | None = None,
                 hint: str | None = None) -> date:
    """The day something being recorded happened (a payment, a shipment, a signature, a call):
    today when not given. A day after today is refused, since only what has happened is
    recorded and a slipped year (2062 for 2026, +5d for -5d) would count as done in every
    report; so is a day before `not_before`, the day the record it happened to begins."""
    day = parse_day(text, clock) if text else clock.today()
    if day > clock.today():
        raise InvalidValue(hint.format(option=option, day=day.isoformat()) if hint else _(
            "{option} {day} is after today: only what has happened is recorded").format(option=option,
                                                                                        day=day.isoformat()))
    if not_before is not None and day < not_before:
        raise InvalidValue(_("{option} {day} is before the record's own date {start}").format(
            option=option, day=day.isoformat(), start=not_before.isoformat()))
    return day


def moment_text(moment: datetime) -> str:
    """ISO 8601 with seconds and offset, the form records store."""
    return moment.replace(microsecond=0).isoformat()


def read_moment(text: str, clock: Clock) -> datetime:
    """A stored moment (ISO, possibly a bare date) as an aware datetime in the clock's zone."""
    if "T" in text or " " in text:
        value = datetime.fromisoformat(text)
    else:
        value = datetime.combine(date.fromisoformat(text), time(0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.zone)
    return in_zone(value, clock.zone)


def wall_moment(text: str, clock: Clock) -> datetime:
    """A stored moment as the wall time it was written in, in the clock's zone (not a fixed
    offset): `02:30+01:00` on the night Berlin's clocks jump stays 02:30, which read_moment
    gives as the instant's 03:30+02:00. What a series repeats and a calendar shows."""
    value = datetime.fromisoformat(text)
    written = value.replace(tzinfo=clock.zone)
    if value.tzinfo is None or written.utcoffset() == value.utcoffset():
        return written
    return value.astimezone(clock.zone)


def read_day(text: str, clock: Clock) -> date:
    """A stored date or moment as the calendar day it falls on in the clock's zone (a moment
    with an offset goes straight to the zone: the agenda reads thousands)."""
    if "T" not in text:
        return date.fromisoformat(text)
    value = datetime.fromisoformat(text)
    return value.astimezone(clock.zone).date() if value.tzinfo is not None else read_moment(text, clock).date()


def parse_interval(text: str):
    """A cadence such as `30d`, `2w`, `1m`, `1y` as a dateutil relativedelta."""
    match = INTERVAL.match(str(text).strip().lower())
    if not match or int(match["count"]) == 0:
        raise InvalidValue(_("invalid interval {text!r}: use a count and a unit such as 30d, 2w, 1m or 1y").format(
            text=text))
    count = interval_count(match, text)
    # lazy: dateutil's relativedelta (with six) loads in about 1.5 ms (python -X importtime); of the
    # commands that load this module, all of them, few read a cadence
    from dateutil.relativedelta import relativedelta

    return {"d": relativedelta(days=count), "w": relativedelta(weeks=count),
            "m": relativedelta(months=count), "y": relativedelta(years=count)}[match["unit"]]


@functools.lru_cache(maxsize=256)
def interval_step(text: str) -> Callable[[date], date]:
    """`day + parse_interval(text)` as a function, the text parsed once: what a rule applies
    to thousands of parties' days (the follow-up cadence) costs a parse per distinct cadence
    and plain date arithmetic per day, not a relativedelta each. Days and weeks are a
    timedelta; months and years keep the day, or the month's last day when it is shorter
    (31 January + 1m is 28 February), as relativedelta does; out of range is the same error."""
    interval = parse_interval(text)
    if interval.months or interval.years:
        months = interval.years * 12 + interval.months

        def step(day: date) -> date:
            year, month = divmod(day.month - 1 + months, 12)
            year += day.year
            return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))

        return step
    delta = timedelta(days=interval.days)
    return lambda day: day + delta


def shortest_days(text: str) -> int:
    """The fewest days `interval_step(text)` adds to any day (a month is 28 days or more, a
    year 365): a bound a query can narrow by before the exact steps are taken."""
    interval = parse_interval(text)
    return interval.days + 28 * interval.months + 365 * interval.years


def interval_count(match: re.Match, text: str) -> int:
    """The count of an INTERVAL match, refused beyond the LONGEST of its unit."""
    count = int(match["count"])
    if count > LONGEST[match["unit"]]:
        raise InvalidValue(_("interval {text!r} is too long: at most {longest}").format(
            text=text, longest=", ".join(f"{n}{unit}" for unit, n in LONGEST.items())))
    return count


def month_end(day: date) -> date:
    """The last day of `day`'s month (December 9999 too: nothing steps past it)."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def parse_due(text: str, clock: Clock) -> str:
    """What a person typed for a due date, as stored: a day (`2026-11-25`) unless they
    named a time of day, then a moment in the data directory's zone."""
    moment, has_time = _checked(text, clock)
    if not has_time:
        return moment.date().isoformat()
    if moment.tzinfo is None or moment.tzinfo is clock.zone:
        # The wall time typed, as written: in a daylight-saving gap (02:30 the night Berlin's
        # clocks jump) that is 02:30 with the offset before the gap, as RFC 5545 reads it, so a
        # repeating reminder keeps 02:30 on every other day instead of turning 03:30 for good.
        return moment_text(moment.replace(tzinfo=clock.zone))
    return moment_text(moment.astimezone(clock.zone))
