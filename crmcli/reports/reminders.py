"""`crm remind list|show|due|export`: explicit reminders, and the digest cron sends."""

from __future__ import annotations

from datetime import date, timedelta

from crmcli.errors import InvalidValue
from crmcli.i18n import _, day_text, ngettext
from crmcli.model.dates import parse_interval, read_day
from crmcli.model.record import Record
from crmcli.model.views import KEEP, LOW, Column, Document, Fields, Table
from crmcli.reminders.rules import gather
from crmcli.reports.agenda import DUE_COLUMNS, due_rows, public, relative_day
from crmcli.reports.orders import history_table
from crmcli.store.questions import Match
from crmcli.store.sent import sent_keys

REMINDER_COLUMNS = [
    Column("due", "due", style="date"), Column("when", "when"), Column("id", "id", style="id"),
    Column("text", "text", priority=KEEP), Column("party_name", "party", priority=KEEP),
    Column("every", "repeats"), Column("owner", "owner", priority=LOW), Column("status", "status", translate=True),
]
EXPORT_DAYS = 365


def reminder_list(repo, records: list[Record]) -> Table:
    """Open reminders first, soonest due first."""
    names = repo.index.party_names()
    today = repo.clock.today()
    records = sorted(records, key=lambda r: (r.data.get("status") == "done", str(r.data["due"]), r.id))
    rows = []
    for record in records:
        data = record.data
        open_ = data.get("status") != "done"
        due = read_day(str(data["due"]), repo.clock)
        rows.append({**data, "party_name": names.get(data.get("party") or "", data.get("party")),
                     "when": relative_day(due, today) if open_ else _("done"),
                     "_style": "dim" if not open_ else "red" if due < today else None})
    return Table(REMINDER_COLUMNS, rows, records=[r.data for r in records], empty=_("no reminders match"))


def reminder_view(repo, reminder: Record) -> Document:
    data = reminder.data
    facts = [(k, v) for k, v in data.items() if k != "history" and v not in (None, "", [])]
    return Document([Fields(facts, title=data["text"]), history_table(repo, data)], payload=data)


def horizon(repo, within: str | None) -> date:
    """Today, or today plus `within` (`1d`, `2w`)."""
    today = repo.clock.today()
    if not within:
        return today
    try:
        return today + parse_interval(within)
    except InvalidValue as error:
        raise InvalidValue(_("--within: {error}").format(error=error)) from None


def digest(repo, items, title: str) -> Document:
    """The items due, in their buckets, leaving out the empty ones (mail and cron read this)."""
    buckets = due_rows(repo, items)
    heads = {"overdue": _("Overdue"), "today": _("Due today"), "upcoming": _("Coming up")}
    parts = [Table(DUE_COLUMNS, rows, title=f"{heads[bucket]} ({len(rows)})")
             for bucket, rows in buckets.items() if rows]
    return Document(parts, title=title, payload={"date": repo.clock.today().isoformat(), **public(buckets)})


def due_digest(repo, within: str | None = None, owner: str | None = None):
    """What is due by the end of the window, and the digest of it. News sent once (an item
    with a `once` key, such as a target behind plan) is left out once a digest has sent it."""
    sent = sent_keys(repo.cache_dir)
    items = [item for item in gather(repo, horizon(repo, within), owner) if item.once not in sent]
    title = ngettext("{business}: {count} reminder due {day}", "{business}: {count} reminders due {day}",
                     len(items)).format(business=repo.config.business_name, count=len(items),
                                        day=day_text(repo.clock.today()))
    return items, digest(repo, items, title)


def calendar_items(repo, owner: str | None = None):
    """Everything dated in the coming year for a calendar export, with the explicit reminders' data."""
    items = gather(repo, repo.clock.today() + timedelta(days=EXPORT_DAYS), owner)
    records = {r.ref: r.data for r in repo.records("reminder", Match(open_due=True))}
    return items, records
