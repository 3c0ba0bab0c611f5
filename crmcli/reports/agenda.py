"""`crm today`: what needs doing (overdue, today, the coming days) and what just happened."""

from __future__ import annotations

from datetime import date, timedelta

from crmcli.i18n import _, day_text, ngettext
from crmcli.model.views import KEEP, LOW, Column, Document, Table
from crmcli.reminders.rules import gather, undated_next_steps
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_row, newest_first
from crmcli.store.questions import Match

DUE_COLUMNS = [
    Column("due", "due", style="date"),
    Column("when", "when", priority=LOW),
    Column("party_name", "party", priority=KEEP),
    Column("label", "what", translate=True),
    Column("reason", "reason", priority=KEEP),
    Column("id", "id", style="id", priority=KEEP),
]
"""The id is what `crm done ID` and `crm next ID` take: on a narrow terminal it is shortened to
a unique prefix (render/layout.py), never dropped."""
RECENT_DAYS = 7
RECENT_SHOWN = 50
BUCKETS = ("overdue", "today", "upcoming")
STYLES = {"overdue": "red", "today": "yellow"}


def relative_day(due: date, today: date) -> str:
    days = (due - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days < 0:
        return ngettext("{days} day late", "{days} days late", -days).format(days=-days)
    return ngettext("in {days} day", "in {days} days", days).format(days=days)


def bucket_of(due: date, today: date) -> str:
    return "overdue" if due < today else "today" if due == today else "upcoming"


def due_rows(repo, items, names: dict[str, str] | None = None) -> dict[str, list[dict]]:
    """The items as agenda rows in their buckets, each with its party's name (from `names`,
    else the index) and a colour. Thousands of items fall on a few hundred days: each day's
    bucket and words are worked out once."""
    today = repo.clock.today()
    if names is None:
        names = repo.index.party_names()
    buckets: dict[str, list[dict]] = {bucket: [] for bucket in BUCKETS}
    days: dict[date, tuple[str, str]] = {}
    for item in items:
        if item.due not in days:
            days[item.due] = bucket_of(item.due, today), relative_day(item.due, today)
        bucket, when = days[item.due]
        row = item.as_dict(names.get(item.party or "", item.party))
        row["when"] = when + (f", {item.at:%H:%M}" if item.at else "")
        row["label"] = item.label
        row["_style"] = STYLES.get(bucket)
        buckets[bucket].append(row)
    return buckets


PRIVATE = {"_style", "label"}
"""What the agenda's rows carry for the screen only (`due_rows`, `undated_rows`): not in json."""


def _visible(row: dict) -> dict:
    shown = dict(row)
    for key in PRIVATE:
        shown.pop(key, None)
    return shown


def public(buckets: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {bucket: [_visible(row) for row in rows] for bucket, rows in buckets.items()}


def undated_rows(repo, owner: str | None, names: dict[str, str]) -> list[dict]:
    """Next steps without a due date as agenda rows: "no date" where the day would be."""
    return [{"due": "", "when": _("no date"), "party": r.data.get("party"),
             "party_name": names.get(r.data.get("party") or "", r.data.get("party")), "label": "next step",
             "rule": "next_steps", "reason": r.data["next"]["action"], "id": r.id, "ref": r.ref}
            for r in undated_next_steps(repo, owner)]


def _recent(repo, since: str, until: str, owner: str | None) -> tuple[list, int]:
    """The latest interactions from `since` to `until` (at most RECENT_SHOWN, newest first) of
    the parties `owner` looks after (or everyone's), and how many there are in all. Nothing
    after `until` (today, pinned or not): an agenda as of a day knows nothing later."""
    match = Match(kinds=("interaction",), since=since, until=until, owned_by=owner)
    total = repo.ask.count(match)
    latest = repo.ask.newest(match, 2 * RECENT_SHOWN)
    return newest_first(latest)[:RECENT_SHOWN], total


def agenda(repo, days: int = 7, owner: str | None = None) -> Document:
    today = repo.clock.today()
    names = repo.index.party_names()
    buckets = due_rows(repo, gather(repo, today + timedelta(days=days), owner), names)
    recent, total = _recent(repo, (today - timedelta(days=RECENT_DAYS)).isoformat(), today.isoformat(), owner)
    undated = undated_rows(repo, owner, names)
    titles = {
        "overdue": _("Overdue"),
        "today": _("Due today ({day})").format(day=day_text(today)),
        "upcoming": ngettext("Next {days} day", "Next {days} days", days).format(days=days),
    }
    empties = {"overdue": _("nothing overdue"), "today": _("nothing due today"),
               "upcoming": _("nothing coming up")}
    parts = [Table(DUE_COLUMNS, rows, title=titles[bucket], empty=empties[bucket])
             for bucket, rows in buckets.items()]
    if undated:
        parts.append(Table(DUE_COLUMNS, undated, title=_("Next steps without a date")))
    parts.append(Table(
        INTERACTION_COLUMNS,
        [interaction_row(r.data, names, repo.clock) for r in recent],
        title=(_("Latest interactions (last {days} days)") if total <= len(recent) else
               _("Latest {shown} of {total} interactions (last {days} days); crm timeline --since -{days}d "
                 "lists them all")).format(days=RECENT_DAYS, shown=len(recent), total=total),
        empty=_("no interactions in the last week"),
    ))
    payload = {"date": today.isoformat(), **public({**buckets, "undated": undated}),
               "recent": [r.data for r in recent]}
    return Document(parts, title=_("Agenda for {day}").format(day=day_text(today)), payload=payload)
