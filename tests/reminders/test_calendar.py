"""`crm remind export --ics`: RFC 5545, parsed back with the icalendar package."""

from datetime import date, datetime

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
