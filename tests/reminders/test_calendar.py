"""`crm remind export --ics`: RFC 5545, parsed back with the icalendar package."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar


def components(path):
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(c["uid"]): c for c in calendar.walk() if c.name in ("VTODO", "VEVENT")}


def test_reminders_and_dated_events(demo, tmp_path):
    rent = demo("remind", "add", "Pay office rent", "--due", "2026-11-30", "--every", "1m").out.strip()
    board = demo("remind", "add", "Board meeting", "--due", "2026-12-04 15:00").out.strip()
    target = tmp_path / "crm.ics"
    result = demo("remind", "export", "--ics", target)
    assert result.code == 0 and "wrote" in result.err
    entries = components(target)
    todo = entries[f"reminders/{rent}#reminder@crm.invalid"]
    assert todo.name == "VTODO" and todo["due"].dt == date(2026, 11, 30)
    assert (todo["rrule"]["FREQ"], todo["rrule"]["BYMONTHDAY"], todo["rrule"]["BYSETPOS"]) == (
        ["MONTHLY"], [28, 29, 30], [-1])
    timed = entries[f"reminders/{board}#reminder@crm.invalid"]["due"].dt
    assert timed == datetime.fromisoformat("2026-12-04T15:00:00+08:00")
    step = entries["interactions/2026/11/IN-20261120-FH51#next_steps@crm.invalid"]
    assert step.name == "VEVENT" and step["dtstart"].dt == date(2026, 11, 24) and "发送签字版报价" in step["summary"]
    payment = entries["orders/2026/SO-20260716-FW29#payments@crm.invalid"]
    assert "186,400.00 CNY" in payment["summary"] and payment["dtstart"].dt == date(2026, 9, 14)
    renewal = entries["contracts/CT-20251125-RXB0#renewals@crm.invalid"]
    assert "ends 2026-12-10" in renewal["summary"]


def test_uids_are_stable_so_a_new_import_updates(demo, tmp_path):
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    demo("remind", "export", "--ics", first)
    demo("--today", "2026-11-23", "remind", "export", "--ics", second)
    before, after = components(first), components(second)
    assert len(before) == len(set(before)) > 50
    shared = set(before) & set(after)
    assert len(shared) > 0.9 * len(before)
    assert all(before[uid]["dtstart" if "dtstart" in before[uid] else "due"].dt ==
               after[uid]["dtstart" if "dtstart" in after[uid] else "due"].dt for uid in shared)


def test_the_cron_digest_as_ics_on_stdout(demo):
    result = demo("remind", "due", "--format", "ics")
    calendar = Calendar.from_ical(result.out.encode())
    days = [c["dtstart"].dt for c in calendar.walk() if c.name == "VEVENT"]
    days = [day.date() if isinstance(day, datetime) else day for day in days]
    assert days and max(days) == date(2026, 11, 22)


# Real consumers: icalendar + recurring-ical-events, and vobject's own parser and rule expansion.

def zoned(tmp_path, zone: str):
    """A data directory of its own whose crm.yaml names `zone`."""
    from conftest import DataDir, run_crm

    target = tmp_path / zone.replace("/", "-")
    assert run_crm("init", target, "--no-git", "--name", "Zoned", "--me", "li", "--timezone", zone).code == 0
    return DataDir(target)


def export_weekly(data, due: str, every: str, today: str, tmp_path) -> tuple[bytes, str]:
    ref = data("--today", today, "remind", "add", "Call the plant", "--due", due, "--every", every)
    assert ref.code == 0, ref.err
    target = tmp_path / "crm.ics"
    assert data("--today", today, "remind", "export", "--ics", target).code == 0
    return target.read_bytes(), f"reminders/{ref.out.strip()}#reminder@crm.invalid"


def expanded(ics: bytes, uid: str, start: date, days: int = 365) -> list[datetime]:
    """The occurrences of `uid` in a year, as recurring-ical-events expands them."""
    import recurring_ical_events

    found = recurring_ical_events.of(Calendar.from_ical(ics), components=["VTODO"]).between(
        start, start + timedelta(days=days))
    return [c["dtstart"].dt for c in found if str(c["uid"]) == uid]


def vobject_expanded(ics: bytes, uid: str, days: int = 365) -> list[datetime]:
    """The same, by vobject's independent parser and its dateutil rule set."""
    import vobject

    calendar = vobject.readOne(ics.decode())
    todo = next(c for c in calendar.vtodo_list if c.uid.value == uid)
    rules = todo.getrruleset(addRDate=True)
    first = todo.dtstart.value
    return list(rules.between(first - timedelta(seconds=1), first + timedelta(days=days)))


@pytest.mark.parametrize(("zone", "due", "today", "weekday", "at"), [
    ("Asia/Shanghai", "2026-11-23 07:00", "2026-11-22", 0, "07:00"),
    ("Europe/Berlin", "2026-06-01 10:00", "2026-06-01", 0, "10:00"),
])
def test_a_weekly_reminder_keeps_its_local_weekday_and_hour_for_a_year(tmp_path, zone, due, today, weekday, at):
    """Shanghai Monday 07:00 is Sunday 23:00 UTC, and Berlin Monday 10:00 is 08:00 UTC in
    summer and 09:00 in winter: written in UTC, the rule landed on Tuesdays or an hour early."""
    local = ZoneInfo(zone)
    ics, uid = export_weekly(zoned(tmp_path, zone), due, "monday", today, tmp_path)
    text = ics.decode()
    assert f"TZID:{zone}" in text and f"DTSTART;TZID={zone}:" in text and "BEGIN:VTIMEZONE" in text
    # recurring-ical-events gives instants (checked in the real zone); vobject cannot read the
    # VTIMEZONE's RDATE lists, so it is checked on the wall times of the zone the file names.
    for occurrences in ([o.astimezone(local) for o in expanded(ics, uid, date.fromisoformat(today))],
                        vobject_expanded(ics, uid)):
        assert len(occurrences) in (52, 53)
        assert {str(o.tzinfo).strip("<>").split()[-1].strip("'") for o in occurrences} == {zone}
        wrong = [o for o in occurrences if (o.weekday(), o.strftime("%H:%M")) != (weekday, at)]
        assert not wrong, wrong[:3]


def test_a_reminder_in_the_daylight_saving_gap_keeps_its_hour_after_that_night(tmp_path):
    """02:30 does not exist in Berlin on 2026-03-29: that day it rings at 03:30 (RFC 5545),
    and every later week at 02:30 again, in the calendar and when it is done and rolls on."""
    berlin = ZoneInfo("Europe/Berlin")
    data = zoned(tmp_path, "Europe/Berlin")
    ics, uid = export_weekly(data, "2026-03-29 02:30", "1w", "2026-03-20", tmp_path)
    occurrences = [o.astimezone(berlin) for o in expanded(ics, uid, date(2026, 3, 20), 60)]
    assert occurrences[0].astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert {o.strftime("%a %H:%M") for o in occurrences[1:]} == {"Sun 02:30"}
    reminder = uid.split("#")[0].split("/")[1]
    assert data("--today", "2026-03-30", "remind", "done", reminder).code == 0
    assert data.read(f"reminders/{reminder}.yaml")["due"] == "2026-04-05T02:30:00+02:00"


def test_two_birthdays_at_one_party_are_two_calendar_entries(empty, tmp_path):
    assert empty("customer", "add", "Acme").code == 0
    for name, day in (("张伟", "12-01"), ("Anna Schmidt", "12-03")):
        assert empty("contact", "add", "acme", name, "--birthday", day).code == 0, name
    target = tmp_path / "crm.ics"
    assert empty("remind", "export", "--ics", target).code == 0
    birthdays = [(str(c["uid"]), c["dtstart"].dt) for c in Calendar.from_ical(target.read_bytes()).walk("VEVENT")
                 if "#birthdays" in str(c["uid"])]
    assert sorted(day for _uid, day in birthdays) == [date(2026, 12, 1), date(2026, 12, 3)]
    assert len({uid for uid, _day in birthdays}) == 2
