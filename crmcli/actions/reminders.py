"""Explicit reminders: add one (once or repeating), mark it done, snooze it, remove it."""

from __future__ import annotations

from datetime import date, datetime

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import moment_text, parse_day, parse_due, read_day, read_moment, wall_moment
from crmcli.model.kinds import KINDS
from crmcli.model.record import Record

REMINDER = KINDS["reminder"]


def add_reminder(repo, text: str, due: str, *, party: Record | None = None, every: str | None = None,
                 until: str | None = None, owner: str | None = None) -> Record:
    """A new open reminder. A repeating one starts on the first day of its series on or
    after `due` (`--due today --every '3rd monday'` is the next third Monday)."""
    if not text.strip():
        raise InvalidValue(_("a reminder needs a text"))
    clock = repo.clock
    record: dict = {}
    if party is not None:
        record["party"] = party.ref
    record["text"] = text.strip()
    record["due"] = parse_due(due, clock)
    if every:
        # lazy: repeat rules load dateutil's rrule and the weekday phrases, about 4 ms (python
        # -X importtime); `crm remind due` loads this module and follows none
        from crmcli.model.recurrence import check_rule, first

        day = read_day(record["due"], clock)
        end = parse_day(until, clock) if until else None
        record["every"] = check_rule(every, day, end)
        start = first(record["every"], day, end)
        if start is None:
            raise InvalidValue(_("repeat rule {rule!r} has no day between {start} and {end}").format(
                rule=every, start=day, end=end))
        record["due"] = _on_day(record["due"], start, clock)
        record["anchor"] = start.isoformat()
        if end:
            record["until"] = end.isoformat()
    elif until:
        raise InvalidValue(_("--until only applies to a repeating reminder (give --every)"))
    chosen = owner or (party.data.get("owner") if party is not None else None) or repo.config.me
    if chosen:
        record["owner"] = chosen
    record["status"] = "open"
    with repo.writing(f"remind: {record['text']} on {record['due']}") as tx:
        ref = tx.add(REMINDER, record)
    return Record(ref, REMINDER, record)


def _on_day(due: str, day: date, clock) -> str:
    """`due` moved to `day`, keeping its time of day (as written) if it has one."""
    if "T" not in due:
        return day.isoformat()
    return moment_text(datetime.combine(day, wall_moment(due, clock).time(), clock.zone))


def _open(reminder: Record) -> dict:
    data = reminder.data
    if data.get("status") == "done":
        raise InvalidValue(_("{id} is done already (at {done})").format(id=reminder.id, done=data.get("done")))
    return data


def complete_reminder(repo, reminder: Record) -> Record:
    """Done: a one-off reminder closes; a repeating one rolls to its next day after both its
    due day and today (missed days are not owed), or closes when its series has ended."""
    _open(reminder)
    with repo.writing(f"remind: {reminder.data['text']} done") as tx:
        tx.message = _complete(repo, _open(tx.fresh(reminder)))
        tx.update(reminder)
    return reminder


def _complete(repo, data: dict) -> str:
    """Mark `data` done (or rolled on); returns what was done, for the history of the change."""
    now = repo.clock.now()
    due_day = read_day(str(data["due"]), repo.clock)
    entry = {"at": moment_text(now), "status": "done", "note": f"due {data['due']}"}
    following_day = None
    if data.get("every"):
        from crmcli.model.recurrence import following  # lazy: as in `add_reminder`

        anchor = date.fromisoformat(str(data.get("anchor") or due_day.isoformat()))
        until = date.fromisoformat(str(data["until"])) if data.get("until") else None
        following_day = following(data["every"], anchor, max(due_day, repo.clock.today()), until)
    data.setdefault("history", []).append(entry)
    if following_day is None:
        data["status"] = "done"
        data["done"] = moment_text(now)
        return f"remind: {data['text']} done"
    data["due"] = _on_day(str(data["due"]), following_day, repo.clock)
    return f"remind: {data['text']} done, next on {data['due']}"


def snooze_reminder(repo, reminder: Record, until: str) -> Record:
    """Put a reminder off to a later day or time; never into the past."""
    _open(reminder)
    due = parse_due(until, repo.clock)
    past = read_moment(due, repo.clock) < repo.clock.now() if "T" in due else \
        date.fromisoformat(due) < repo.clock.today()
    if past:
        raise InvalidValue(_("cannot snooze {id} to {due}: that is in the past").format(id=reminder.id, due=due))
    with repo.writing(f"remind: {reminder.data['text']} snoozed to {due}") as tx:
        data = _open(tx.fresh(reminder))
        data.setdefault("history", []).append(
            {"at": moment_text(repo.clock.now()), "status": "snoozed", "note": f"due {data['due']} → {due}"})
        data["due"] = due
        tx.update(reminder)
    return reminder


def remove_reminder(repo, reminder: Record) -> None:
    with repo.writing(f"remind: remove {reminder.data['text']}") as tx:
        tx.remove(reminder.ref)

