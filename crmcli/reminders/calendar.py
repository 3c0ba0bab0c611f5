"""Reminders as an RFC 5545 calendar (icalendar): explicit reminders as VTODOs, with their
repeat rule, and every other dated item as a VEVENT.

UIDs are the record's reference and the rule that raised the item, so importing a newer
export into a calendar updates the entries instead of adding them again.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

from crmcli.model.recurrence import rrule_text
from crmcli.model.text import visible

UID_DOMAIN = "crm.invalid"


def _utc(item):
    """A timed item's moment in UTC, which every calendar reads without a VTIMEZONE."""
    return item.at.astimezone(UTC)


def _when(component, name: str, item) -> None:
    component.add(name, _utc(item) if item.at is not None else item.due)


def _todo(item, data: dict):
    from icalendar import Todo, vRecur

    todo = Todo()
    _when(todo, "due", item)
    if data.get("every"):
        anchor = date.fromisoformat(str(data.get("anchor") or item.due.isoformat()))
        until = date.fromisoformat(str(data["until"])) if data.get("until") else None
        todo.add("rrule", vRecur.from_ical(rrule_text(data["every"], anchor, until)))
    todo.add("status", "NEEDS-ACTION")
    return todo


def _event(item):
    from icalendar import Event

    event = Event()
    if item.at is not None:
        event.add("dtstart", _utc(item))
        event.add("dtend", _utc(item) + timedelta(minutes=30))
    else:
        event.add("dtstart", item.due)
        event.add("dtend", item.due + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def calendar(items, records: dict[str, dict], names: dict[str, str], stamp, business: str) -> bytes:
    """The calendar of `items`; `records` holds the data of explicit reminders by reference
    (for their repeat rules), `names` the parties' names, `stamp` the export moment."""
    from icalendar import Calendar

    cal = Calendar()
    business = visible(business)
    cal.add("prodid", f"-//crm//{business}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{business} (crm)")
    for item in items:
        component = _todo(item, records[item.ref]) if item.rule == "reminder" else _event(item)
        party = names.get(item.party or "")
        component.add("uid", f"{item.uid()}@{UID_DOMAIN}")
        component.add("dtstamp", stamp)
        component.add("summary", visible(f"{item.label}: {item.reason}" + (f" — {party}" if party else "")))
        component.add("description", visible(f"{item.reason}\n{item.ref}.yaml"))
        component.add("categories", [visible(item.label)])
        cal.add_component(component)
    return cal.to_ical()
