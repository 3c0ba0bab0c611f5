"""Repeat rules: intervals, weekdays, nth weekdays, RRULEs and end dates, through dateutil's rrule."""

from datetime import date

import pytest

from crmcli.errors import InvalidValue
from crmcli.model.recurrence import check_rule, first, following, rrule_text


def series(spec, anchor, count, until=None):
    days, day = [], anchor
    for _ in range(count):
        day = following(spec, anchor, day, until)
        if day is None:
            break
        days.append(day)
    return days


def test_intervals():
    assert series("2w", date(2026, 11, 23), 3) == [date(2026, 12, 7), date(2026, 12, 21), date(2027, 1, 4)]
    assert series("10d", date(2026, 12, 25), 1) == [date(2027, 1, 4)]
    assert series("quarterly", date(2026, 11, 15), 2) == [date(2027, 2, 15), date(2027, 5, 15)]


def test_monthly_on_the_31st_keeps_to_month_ends_without_drifting():
    assert series("1m", date(2026, 1, 31), 4) == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
                                                    date(2026, 5, 31)]


def test_yearly_on_29_february():
    assert series("1y", date(2028, 2, 29), 4) == [date(2029, 2, 28), date(2030, 2, 28), date(2031, 2, 28),
                                                   date(2032, 2, 29)]


def test_weekdays_and_nth_weekdays():
    assert series("monday", date(2026, 11, 23), 2) == [date(2026, 11, 30), date(2026, 12, 7)]
    assert series("tue, thu", date(2026, 11, 24), 3) == [date(2026, 11, 26), date(2026, 12, 1), date(2026, 12, 3)]
    assert series("3rd monday", date(2026, 11, 16), 2) == [date(2026, 12, 21), date(2027, 1, 18)]
    assert series("last friday", date(2026, 11, 27), 2) == [date(2026, 12, 25), date(2027, 1, 29)]
    assert first("3rd monday", date(2026, 11, 22)) == date(2026, 12, 21)


def test_rrules_and_end_dates():
    assert series("FREQ=MONTHLY;BYDAY=1WE", date(2026, 12, 2), 2) == [date(2027, 1, 6), date(2027, 2, 3)]
    assert series("RRULE:FREQ=WEEKLY;COUNT=2", date(2026, 11, 23), 5) == [date(2026, 11, 30)]
    assert series("1w", date(2026, 11, 23), 9, until=date(2026, 12, 14)) == [
        date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)]
    assert rrule_text("3rd monday", date(2026, 11, 16)) == "FREQ=MONTHLY;BYDAY=+3MO"
    assert "UNTIL=20270331" in rrule_text("monday", date(2026, 11, 23), date(2027, 3, 31))


@pytest.mark.parametrize("spec", ["0w", "every blursday", "5th", "FREQ=SOMETIMES", "2 fortnights", "",
                                  "FREQ=DAILY EXDATE:20261201", "FREQ=DAILY RRULE:FREQ=WEEKLY"])
def test_bad_rules_are_refused(spec):
    with pytest.raises(InvalidValue):
        check_rule(spec, date(2026, 11, 22))
