"""`crm today`: what needs doing (overdue, today, the coming days) and what just happened."""

from __future__ import annotations

from datetime import date, timedelta

from crmcli.model.views import Column, Document, Table
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_row, newest_first

DUE_COLUMNS = [
    Column("due", "due", style="date"),
    Column("when", "when"),
    Column("party_name", "party"),
    Column("action", "next step"),
    Column("id", "id", style="id"),
]
RECENT_DAYS = 7


def _relative(due: date, today: date) -> str:
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days} day{'s' if days < -1 else ''} late"
    return f"in {days} days"


def agenda(repo, days: int = 7, owner: str | None = None) -> Document:
    today = repo.clock.today()
    horizon = today + timedelta(days=days)
    names = repo.index.party_names()
    owned = None
    if owner:
        owned = {p.ref for kind in ("customer", "supplier") for p in repo.records(kind) if p.data.get("owner") == owner}
    steps = repo.records("interaction", "due IS NOT NULL AND due <= ?", (horizon.isoformat(),))
    if owned is not None:
        steps = [s for s in steps if s.data.get("party") in owned]
    steps.sort(key=lambda r: (str(r.data["next"]["due"]), names.get(r.data.get("party", ""), "")))
    buckets: dict[str, list[dict]] = {"overdue": [], "today": [], "upcoming": []}
    for step in steps:
        due = date.fromisoformat(str(step.data["next"]["due"]))
        bucket = "overdue" if due < today else "today" if due == today else "upcoming"
        buckets[bucket].append({
            "due": due.isoformat(),
            "when": _relative(due, today),
            "party": step.data.get("party"),
            "party_name": names.get(step.data.get("party", ""), step.data.get("party")),
            "action": step.data["next"]["action"],
            "id": step.id,
            "_style": {"overdue": "red", "today": "yellow"}.get(bucket),
        })
    since = (today - timedelta(days=RECENT_DAYS)).isoformat()
    recent = newest_first(repo.records("interaction", "substr(day, 1, 10) >= ?", (since,)))
    if owned is not None:
        recent = [r for r in recent if r.data.get("party") in owned]
    titles = {
        "overdue": "Overdue",
        "today": f"Due today ({today.isoformat()})",
        "upcoming": f"Next {days} days",
    }
    parts = [
        Table(DUE_COLUMNS, rows, title=titles[bucket], empty=f"nothing {bucket}")
        for bucket, rows in buckets.items()
    ]
    parts.append(Table(
        INTERACTION_COLUMNS,
        [interaction_row(r.data, names, repo.clock) for r in recent],
        title=f"Latest interactions (last {RECENT_DAYS} days)",
        empty="no interactions in the last week",
    ))
    payload = {
        "date": today.isoformat(),
        **{bucket: [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]
           for bucket, rows in buckets.items()},
        "recent": [r.data for r in recent],
    }
    return Document(parts, title=f"Agenda for {today.isoformat()}", payload=payload)
