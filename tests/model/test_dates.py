"""Dates people type, against a pinned clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmcli.errors import InvalidValue
from crmcli.model.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    Clock,
    interval_step,
    parse_day,
    parse_due,
    parse_interval,
    parse_moment,
    read_day,
    read_moment,
    shortest_days,
)
from crmcli.model.phrases import MONTHS

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


def _adding(interval):
    return lambda day: day + interval


def _outcome(step, day):
    try:
        return step(day)
    except (ArithmeticError, ValueError) as error:
        return type(error), str(error)


def test_an_interval_step_is_the_relativedelta_it_stands_for(rng):
    """`interval_step` (what the agenda applies to every party) gives the day, or the error,
    that adding `parse_interval` gives: month ends kept, 29 February, the end of the calendar."""
    texts = ["1d", "30d", "9999d", "2w", "999w", "1m", "3m", "13m", "999m", "1y", "4y", "99y"]
    days = [date(2024, 1, 31), date(2024, 2, 29), date(2023, 3, 31), date(9999, 12, 31), date(9999, 1, 31),
            date(9998, 12, 31), date(1, 1, 1)] + [date.fromordinal(rng.randrange(1, 3652059)) for _ in range(1000)]
    for text in texts:
        added = _adding(parse_interval(text))
        assert [_outcome(interval_step(text), day) for day in days] == [_outcome(added, day) for day in days], text
        assert all(step >= day + timedelta(days=shortest_days(text)) for day in days
                   if isinstance(step := _outcome(interval_step(text), day), date)), text
    with pytest.raises(InvalidValue):
        interval_step("0d")


@pytest.mark.parametrize("text", ["2026-11-22", "2026-11-22T23:30:00+08:00", "2026-11-22T23:30:00+00:00",
                                  "2026-11-22T00:30:00-05:00", "2026-11-22T10:00:00", "2026-03-08T02:30:00"])
def test_a_stored_day_is_the_day_of_its_moment_in_the_zone(text):
    for zone in (SHANGHAI, ZoneInfo("America/New_York"), UTC):
        clock = Clock(zone, CLOCK.pinned)
        assert read_day(text, clock) == (read_moment(text, clock).date() if "T" in text else date.fromisoformat(text))


@pytest.mark.parametrize("text, expected", [
    ("2027年1月5日", date(2027, 1, 5)),
    ("二〇二七年一月五日", date(2027, 1, 5)),
    ("1月5日", date(2026, 1, 5)),
    ("十一月五号", date(2026, 11, 5)),
    ("25号", date(2026, 11, 25)),
    ("下个月5号", date(2026, 12, 5)),
    ("下周一", date(2026, 11, 23)),
    ("本周五", date(2026, 11, 20)),  # Chinese weeks run Monday to Sunday: this week's Friday has passed
    ("周五", date(2026, 11, 27)),
    ("星期天", date(2026, 11, 22)),
    ("上周三", date(2026, 11, 11)),
    ("下下周二", date(2026, 12, 1)),
    ("三天后", date(2026, 11, 25)),
    ("3天后", date(2026, 11, 25)),
    ("两周后", date(2026, 12, 6)),
    ("一个月后", date(2026, 12, 22)),
    ("3天前", date(2026, 11, 19)),
    ("月底", date(2026, 11, 30)),
    ("下个月底", date(2026, 12, 31)),
    ("年底", date(2026, 12, 31)),
    ("下个月", date(2026, 12, 22)),
    ("明年", date(2027, 11, 22)),
    ("后天", date(2026, 11, 24)),
    ("大后天", date(2026, 11, 25)),
    ("前天", date(2026, 11, 20)),
    ("friday", date(2026, 11, 27)),
    ("Fri", date(2026, 11, 27)),
    ("this friday", date(2026, 11, 27)),
    ("in 3 days", date(2026, 11, 25)),
    ("in a week", date(2026, 11, 29)),
    ("2 weeks ago", date(2026, 11, 8)),
    ("+2d", date(2026, 11, 24)),
    ("end of month", date(2026, 11, 30)),
    ("end of next month", date(2026, 12, 31)),
    ("start of next month", date(2026, 12, 1)),
    ("end of week", date(2026, 11, 22)),
    ("next week", date(2026, 11, 29)),
    ("December 5, 2027", date(2027, 12, 5)),
    ("5th of December", date(2026, 12, 5)),
    ("2027/1/5", date(2027, 1, 5)),
    ("13/05/2027", date(2027, 5, 13)),  # reads one way only: day first
    ("05/13/2027", date(2027, 5, 13)),  # month first
    ("２０２７－０１－０５", date(2027, 1, 5)),  # full-width, as a Chinese input method types it
])
def test_days_as_people_type_them(text, expected):
    assert parse_day(text, CLOCK) == expected


@pytest.mark.parametrize("text, expected", [
    ("明天下午3点", datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)),
    ("明天下午三点半", datetime(2026, 11, 23, 15, 30, tzinfo=SHANGHAI)),
    ("下周一上午10点", datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)),
    ("晚上8点15分", datetime(2026, 11, 22, 20, 15, tzinfo=SHANGHAI)),
    ("明天中午", datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)),
    ("tomorrow 3pm", datetime(2026, 11, 23, 15, 0, tzinfo=SHANGHAI)),
    ("tomorrow at 15:30", datetime(2026, 11, 23, 15, 30, tzinfo=SHANGHAI)),
    ("Dec 5 9:30am", datetime(2026, 12, 5, 9, 30, tzinfo=SHANGHAI)),
    ("12am", datetime(2026, 11, 22, 0, 0, tzinfo=SHANGHAI)),
    ("3小时后", datetime(2026, 11, 22, 13, 30, tzinfo=SHANGHAI)),
])
def test_moments_as_people_type_them(text, expected):
    assert parse_moment(text, CLOCK) == expected
    assert "T" in parse_due(text, CLOCK)


@pytest.mark.parametrize("text, reason", [
    ("Dec 32", "no such day"),
    ("Feb 30 2027", "no such day"),
    ("2027年2月30日", "no such day"),
    ("32/13/2026", "no such day"),
    ("2026-13-01", "no such day"),
    ("25点", "no such time"),
    ("tomorrow 13pm", "no such time"),
    ("friday 24:00", "no such time"),
    ("05/12/27", "year in full"),
    ("friday qx", "use YYYY-MM-DD"),
    ("next blursday", "use YYYY-MM-DD"),
    ("Dec", "use YYYY-MM-DD"),
    ("2026", "use YYYY-MM-DD"),
    ("in 3 fortnights", "use YYYY-MM-DD"),
    ("3月", "use YYYY-MM-DD"),
])
def test_garbage_is_refused_never_guessed(text, reason):
    with pytest.raises(InvalidValue) as error:
        parse_due(text, CLOCK)
    message = str(error.value)
    assert message.startswith(f"invalid date {text!r}") and reason in message and "\n" not in message


def test_an_ambiguous_numeric_day_names_both_readings():
    with pytest.raises(InvalidValue) as error:
        parse_day("05/12/2027", CLOCK)
    assert "2027-12-05" in str(error.value) and "2027-05-12" in str(error.value)
    assert "date_order" in str(error.value)


@pytest.mark.parametrize("order, expected", [("dmy", date(2027, 12, 5)), ("mdy", date(2027, 5, 12))])
def test_date_order_reads_numeric_days(order, expected):
    clock = Clock(SHANGHAI, CLOCK.pinned, order)
    assert parse_day("05/12/2027", clock) == expected
    assert parse_day("05.12.2027", clock) == expected
    with pytest.raises(InvalidValue):
        parse_day("13/13/2027", clock)


def test_the_date_order_is_strict():
    """With an order set, a day that is invalid in it is refused, not read the other way."""
    with pytest.raises(InvalidValue):
        parse_day("05/13/2027", Clock(SHANGHAI, CLOCK.pinned, "dmy"))


DAYS = st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31))


@given(DAYS)
def test_any_iso_day_round_trips(day):
    assert parse_day(day.isoformat(), CLOCK) == day
    assert parse_due(day.isoformat(), CLOCK) == day.isoformat()
    assert parse_day(f"{day.year}年{day.month}月{day.day}日", CLOCK) == day
    assert parse_day(day.strftime("%d %B %Y"), CLOCK) == day
    assert parse_day(f"{day.year}/{day.month}/{day.day}", CLOCK) == day


@given(DAYS, st.times())
def test_any_iso_moment_round_trips(day, at):
    moment = datetime.combine(day, at.replace(microsecond=0), SHANGHAI)
    assert parse_moment(moment.isoformat(), CLOCK) == moment


@given(st.sampled_from(sorted(MONTHS)), st.integers(32, 99))
def test_a_day_past_the_month_never_parses(month, day):
    with pytest.raises(InvalidValue):
        parse_day(f"{month} {day}", CLOCK)


@given(st.sampled_from(["today", "friday", "next monday", "Dec 5", "明天", "下周一", "2026-12-01", "+3d", "月底"]),
       st.text(alphabet="qxzjvk", min_size=1, max_size=6))
def test_garbage_after_a_day_never_parses(day, junk):
    with pytest.raises(InvalidValue):
        parse_day(f"{day} {junk}", CLOCK)


@given(st.text(max_size=30))
def test_any_text_is_a_day_in_range_or_one_clear_error(text):
    try:
        day = parse_day(text, CLOCK)
    except InvalidValue as error:
        assert "\n" not in str(error)
    else:
        assert FIRST_YEAR <= day.year <= LAST_YEAR
