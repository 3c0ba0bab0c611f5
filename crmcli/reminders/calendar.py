"""Reminders as an RFC 5545 calendar (icalendar): explicit reminders as VTODOs, with their
repeat rule, and every other dated item as a VEVENT.

Timed items are written as the wall time of the data directory's zone with its `TZID` and a
matching `VTIMEZONE`, because their repeat rules are local: "every Monday 07:00" in Shanghai
is Sunday 23:00 UTC, and "Monday 10:00" in Berlin is 09:00 UTC in summer and 10:00 in winter.
A rule expanded from a UTC start would land on the wrong day or hour.

UIDs are the record's reference and the rule that raised the item (and what tells apart two
items of one rule, such as two birthdays at one party), so importing a newer export into a
calendar updates the entries instead of adding them again.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crmcli.model.dates import Clock, wall_moment
from crmcli.model.recurrence import rrule_text
from crmcli.model.text import visible

UID_DOMAIN = "crm.invalid"


def named_zone(zone: tzinfo) -> tzinfo | None:
    """The IANA zone that `zone` is (crm.yaml's `timezone`, else the system's: `TZ`, then
    /etc/localtime), which a calendar can name in a TZID; None when there is no name."""
    if getattr(zone, "key", None):
        return zone
    link = Path("/etc/localtime")
    candidates = [os.environ.get("TZ", "").lstrip(":"),
                  str(link.resolve()).partition("zoneinfo/")[2] if link.is_symlink() else ""]
    for name in filter(None, candidates):
        try:
            found = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        now = datetime.now(UTC)
        if found.utcoffset(now) == now.astimezone(zone).utcoffset():
            return found
    return None


class Moments:
    """Where a timed item sits on the calendar: its wall time in the named zone, or UTC when
    the zone has no name (a calendar then shows the right instant, though a repeat drifts)."""

    def __init__(self, clock: Clock, records: dict[str, dict]):
        self.clock, self.records = clock, records
        self.zone = named_zone(clock.zone)

    def of(self, item) -> datetime:
        if self.zone is None:
            return item.at.astimezone(UTC)
        due = self.records.get(item.ref, {}).get("due") if item.rule == "reminder" else None
        if due is not None and "T" in str(due):
            local = wall_moment(str(due), Clock(self.zone))
            if local.date() == item.due:  # the record's written wall time, kept in a DST gap
                return local
        return item.at.astimezone(self.zone)


def _recur(data: dict, start, moments: Moments):
    """The reminder's repeat rule, with UNTIL as RFC 5545 wants it beside `start`: a date
    beside a date, else the end of the last day as a UTC moment."""
    # lazy: icalendar loads in 80 ms (python -X importtime); only calendar files need it
    from icalendar import vRecur

    anchor = date.fromisoformat(str(data.get("anchor") or (start.date() if isinstance(start, datetime)
                                                           else start).isoformat()))
    until = date.fromisoformat(str(data["until"])) if data.get("until") else None
    rule = vRecur.from_ical(rrule_text(data["every"], anchor, until))
    if until is not None:
        if isinstance(start, datetime):
            zone = start.tzinfo or moments.clock.zone
            rule["UNTIL"] = [datetime.combine(until, time(23, 59, 59), zone).astimezone(UTC)]
        else:
            rule["UNTIL"] = [until]
    return rule


def _todo(item, data: dict, moments: Moments):
    # lazy: icalendar loads in 80 ms (python -X importtime); only calendar files need it
    from icalendar import Todo

    todo = Todo()
    start = moments.of(item) if item.at is not None else item.due
    todo.add("dtstart", start)
    todo.add("due", start)
    if data.get("every"):
        todo.add("rrule", _recur(data, start, moments))
    todo.add("status", "NEEDS-ACTION")
    return todo


def _event(item, moments: Moments):
    # lazy: icalendar loads in 80 ms (python -X importtime); only calendar files need it
    from icalendar import Event

    event = Event()
    if item.at is not None:
        start = moments.of(item)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=30))
    else:
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def calendar(items, records: dict[str, dict], names: dict[str, str], clock: Clock, business: str) -> bytes:
    """The calendar of `items`; `records` holds the data of explicit reminders by reference
    (for their repeat rules and written times), `names` the parties' names, `clock` the zone
    and the export moment."""
    # lazy: icalendar loads in 80 ms (python -X importtime); only calendar files need it
    from icalendar import Calendar

    cal = Calendar()
    business = visible(business)
    moments = Moments(clock, records)
    cal.add("prodid", f"-//crm//{business}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{business} (crm)")
    if moments.zone is not None:
        cal.add("x-wr-timezone", str(getattr(moments.zone, "key", "")))
    stamp = clock.now().astimezone(UTC)
    for item in items:
        component = _todo(item, records[item.ref], moments) if item.rule == "reminder" else _event(item, moments)
        party = names.get(item.party or "")
        component.add("uid", f"{item.uid()}@{UID_DOMAIN}")
        component.add("dtstamp", stamp)
        component.add("summary", visible(f"{item.label}: {item.reason}" + (f" — {party}" if party else "")))
        component.add("description", visible(f"{item.reason}\n{item.ref}.yaml"))
        component.add("categories", [visible(item.label)])
        cal.add_component(component)
    cal.add_missing_timezones()
    return cal.to_ical()
