"""Dates people type, against a pinned clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crmcli.errors import InvalidValue
from crmcli.model.dates import Clock, parse_day, parse_interval, parse_moment

SHANGHAI = ZoneInfo("Asia/Shanghai")
CLOCK = Clock(SHANGHAI, datetime(2026, 11, 22, 10, 30, tzinfo=SHANGHAI))  # a Sunday


@pytest.mark.parametrize("text, expected", [
    ("2026-12-01", date(2026, 12, 1)),
    ("today", date(2026, 11, 22)),
    ("tomorrow", date(2026, 11, 23)),
    ("yesterday", date(2026, 11, 21)),
    ("明天", date(2026, 11, 23)),
    ("+3d", date(2026, 11, 25)),
    ("-2w", date(2026, 11, 8)),
    ("+1m", date(2026, 12, 22)),
    ("next monday", date(2026, 11, 23)),
    ("monday", date(2026, 11, 23)),
    ("sunday", date(2026, 11, 22)),
    ("next sunday", date(2026, 11, 29)),
    ("last friday", date(2026, 11, 20)),
    ("Dec 5", date(2026, 12, 5)),
    ("5 December 2027", date(2027, 12, 5)),
])
def test_days(text, expected):
    assert parse_day(text, CLOCK) == expected


def test_moments_carry_the_local_zone():
    moment = parse_moment("friday 15:00", CLOCK)
    assert moment == datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI)
    assert moment.utcoffset() == timedelta(hours=8)
    assert parse_moment("2026-11-20 16:30", CLOCK).isoformat() == "2026-11-20T16:30:00+08:00"
    assert parse_moment("now", CLOCK) == CLOCK.now()


def test_a_moment_with_its_own_zone_keeps_it():
    moment = parse_moment("2026-11-20T08:00:00Z", CLOCK)
    assert moment.utcoffset() == timedelta(0)
    assert moment.astimezone(UTC).hour == 8


def test_a_moment_in_another_zone_falls_on_the_local_day():
    assert parse_day("2026-11-21T20:00:00-08:00", CLOCK) == date(2026, 11, 22)


@pytest.mark.parametrize("text", ["", "someday", "2026-02-30", "+3x", "32/13/2026"])
def test_invalid_dates_say_what_is_accepted(text):
    with pytest.raises(InvalidValue) as error:
        parse_day(text, CLOCK)
    assert "date" in str(error.value)


def test_pinned_clock_from_text_keeps_the_day():
    clock = Clock.create(SHANGHAI, "2026-06-30")
    assert clock.today() == date(2026, 6, 30)
    assert Clock.create(SHANGHAI, "2026-06-30T23:59:00+08:00").now().hour == 23


def test_intervals():
    assert date(2026, 1, 31) + parse_interval("1m") == date(2026, 2, 28)
    assert date(2026, 1, 1) + parse_interval("2w") == date(2026, 1, 15)
    with pytest.raises(InvalidValue):
        parse_interval("0d")
    with pytest.raises(InvalidValue):
        parse_interval("often")
