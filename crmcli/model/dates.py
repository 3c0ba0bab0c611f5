"""Parsing the dates and moments people type, against one injectable "now".

Every rule that depends on the date asks a `Clock`, so `--today`/`CRM_TODAY` can run
the whole tool as of any day. Moments always carry a zone: a time typed without
one is taken in the data directory's zone (crm.yaml `timezone`, else the system's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _

WEEKDAYS = {
    name: index
    for index, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
NAMED_DAYS = {
    "today": 0, "今天": 0,
    "tomorrow": 1, "明天": 1,
    "yesterday": -1, "昨天": -1,
    "后天": 2, "前天": -2,
}
RELATIVE = re.compile(r"^(?P<sign>[+-])\s*(?P<count>\d+)\s*(?P<unit>h|d|w|m|y)$")
INTERVAL = re.compile(r"^(?P<count>\d+)\s*(?P<unit>d|w|m|y)$")
WEEKDAY_PHRASE = re.compile(r"^(?:(?P<which>next|last|this)\s+)?(?P<day>[a-z]+)"
                            r"(?:\s+(?P<time>\d{1,2}(?::\d{2})?\s*(?:am|pm)?))?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_YEAR, LAST_YEAR = 1900, 2999
"""The years a typed date may name, as the record schemas allow: far enough from Python's
limits (1 and 9999) that a date plus any interval below, or a zone's offset, stays in range."""
LONGEST = {"d": 9999, "w": 999, "m": 999, "y": 99}
"""The largest count of each interval unit (27, 19, 83 and 99 years), as the schemas allow."""

HINT = N_("use YYYY-MM-DD, an ISO moment, today, tomorrow 9:00, +3d, -2w, next monday or friday 15:00")


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
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(_("unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)").format(
                name=name)) from None
    system = datetime.now().astimezone().tzinfo
    assert system is not None  # astimezone gives an aware time
    return system


@dataclass(frozen=True)
class Clock:
    """The one "now" of a run: real time, or pinned to a day (or moment) for tests and reports."""

    zone: tzinfo
    pinned: datetime | None = None

    @classmethod
    def create(cls, zone: tzinfo, today: str | None = None) -> Clock:
        """A clock in `zone`, pinned to `today` (a date or moment) when given."""
        if not today:
            return cls(zone)
        try:
            return cls(zone, _in_range(cls._pinned(zone, today.strip()), today))
        except InvalidValue as error:
            raise InvalidValue(_("--today: {error}").format(error=error)) from None

    @classmethod
    def _pinned(cls, zone: tzinfo, today: str) -> datetime:
        """The moment `--today` names: a day at the real time of day, or a moment."""
        if not ISO_DATE.match(today):
            return parse_moment(today, cls(zone))
        try:
            day = date.fromisoformat(today)
        except ValueError:
            raise InvalidValue(_("invalid date {text!r}: no such day").format(text=today)) from None
        return datetime.combine(day, datetime.now(zone).time(), zone)

    def now(self) -> datetime:
        moment = self.pinned or datetime.now(self.zone)
        return in_zone(moment, self.zone).replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()


def _relative(match: re.Match, clock: Clock) -> datetime:
    from dateutil.relativedelta import relativedelta

    count = int(match["count"]) * (1 if match["sign"] == "+" else -1)
    unit = match["unit"]
    now = clock.now()
    if unit == "h":
        return now + timedelta(hours=count)
    step = {"d": relativedelta(days=count), "w": relativedelta(weeks=count),
            "m": relativedelta(months=count), "y": relativedelta(years=count)}[unit]
    return datetime.combine(now.date() + step, time(0), clock.zone)


def _weekday(match: re.Match, clock: Clock) -> datetime | None:
    target = WEEKDAYS.get(match["day"])
    if target is None:
        return None
    today = clock.today()
    ahead = (target - today.weekday()) % 7
    if match["which"] == "next" and ahead == 0:
        ahead = 7
    if match["which"] == "last":
        ahead = ahead - 7 if ahead else -7
    day = today + timedelta(days=ahead)
    at = time(0)
    if match["time"]:
        at = _parse_time(match["time"])
    return datetime.combine(day, at, clock.zone)


def _parse_time(text: str) -> time:
    from dateutil import parser

    try:
        return parser.parse(text).time()
    except (ValueError, OverflowError):
        raise InvalidValue(_("invalid time {text!r}").format(text=text)) from None


def _parse(text: str, clock: Clock) -> tuple[datetime, bool]:
    """The moment `text` names, and whether it named a time of day (not just a day)."""
    raw = text.strip()
    low = raw.lower()
    if not low:
        raise InvalidValue(_("empty date: {hint}").format(hint=_(HINT)))
    if low == "now":
        return clock.now(), True
    day_word, _space, at = low.partition(" ")
    if day_word in NAMED_DAYS:
        day = clock.today() + timedelta(days=NAMED_DAYS[day_word])
        return datetime.combine(day, _parse_time(at) if at else time(0), clock.zone), bool(at)
    match = RELATIVE.match(low)
    if match:
        return _relative(match, clock), match["unit"] == "h"
    match = WEEKDAY_PHRASE.match(low)
    if match:
        moment = _weekday(match, clock)
        if moment is not None:
            return moment, bool(match["time"])
    if ISO_DATE.match(low):
        try:
            return datetime.combine(date.fromisoformat(low), time(0), clock.zone), False
        except ValueError:
            raise InvalidValue(_("invalid date {text!r}: no such day").format(text=raw)) from None
    try:
        return datetime.fromisoformat(raw), True
    except ValueError:
        pass
    from dateutil import parser

    default = datetime.combine(clock.today(), time(0))
    try:
        parsed = parser.parse(raw, default=default)
    except (ValueError, OverflowError, parser.ParserError):
        raise InvalidValue(_("invalid date {text!r}: {hint}").format(text=raw, hint=_(HINT))) from None
    has_time = parsed.time() != time(0) or ":" in raw
    return parsed, has_time


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
    """A stored date or moment as the calendar day it falls on in the clock's zone."""
    return read_moment(text, clock).date() if "T" in text else date.fromisoformat(text)


def parse_interval(text: str):
    """A cadence such as `30d`, `2w`, `1m`, `1y` as a dateutil relativedelta."""
    from dateutil.relativedelta import relativedelta

    match = INTERVAL.match(str(text).strip().lower())
    if not match or int(match["count"]) == 0:
        raise InvalidValue(_("invalid interval {text!r}: use a count and a unit such as 30d, 2w, 1m or 1y").format(
            text=text))
    count = interval_count(match, text)
    return {"d": relativedelta(days=count), "w": relativedelta(weeks=count),
            "m": relativedelta(months=count), "y": relativedelta(years=count)}[match["unit"]]


def interval_count(match: re.Match, text: str) -> int:
    """The count of an INTERVAL match, refused beyond the LONGEST of its unit."""
    count = int(match["count"])
    if count > LONGEST[match["unit"]]:
        raise InvalidValue(_("interval {text!r} is too long: at most {longest}").format(
            text=text, longest=", ".join(f"{n}{unit}" for unit, n in LONGEST.items())))
    return count


def month_end(day: date) -> date:
    """The last day of `day`'s month (December 9999 too: nothing steps past it)."""
    import calendar

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
