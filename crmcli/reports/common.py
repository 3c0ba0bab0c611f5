"""Small pieces the views share: how a moment reads, the standard interaction columns."""

from __future__ import annotations

from datetime import datetime

from crmcli.i18n import _
from crmcli.model.dates import Clock, read_moment
from crmcli.model.views import KEEP, LOW, Column


def when(text: str | None, clock: Clock) -> str:
    """A stored moment as `2026-11-20 16:30` in the data directory's zone."""
    if not text:
        return ""
    try:
        return read_moment(str(text), clock).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(text)


INTERACTION_COLUMNS = [
    Column("at", "when", style="date"),
    Column("party_name", "party", priority=KEEP),
    Column("type", "type"),
    Column("contact", "contact", priority=LOW),
    Column("summary", "summary", priority=KEEP),
    Column("outcome", "outcome", translate=True, priority=LOW),
    Column("id", "id", style="id"),
]


def interaction_row(record: dict, names: dict[str, str], clock: Clock) -> dict:
    arrow = {"in": "←", "out": "→"}.get(record.get("direction", ""), "")
    return {
        "at": when(record.get("at"), clock),
        "party_name": names.get(record.get("party", ""), record.get("party", "")),
        "type": f"{_(record.get('type', ''))} {arrow}".strip(),
        "contact": record.get("contact"),
        "summary": record.get("summary"),
        "outcome": record.get("outcome"),
        "id": record.get("id"),
    }


def interaction_rows(records, names: dict[str, str], clock: Clock, limit: int | None = None) -> list[dict]:
    """Rows of interactions (newest first), the emails of one thread (crm mail) folded into
    one row: the newest, saying how many emails the thread holds; at most `limit` rows. The
    records themselves (`--format json`) stay one per interaction."""
    sizes: dict[str, int] = {}
    for record in records:
        if record.data.get("thread"):
            sizes[record.data["thread"]] = sizes.get(record.data["thread"], 0) + 1
    rows: list[dict] = []
    shown: set[str] = set()
    for record in records:
        thread = record.data.get("thread")
        if thread in shown:
            continue
        if limit is not None and len(rows) == limit:
            break
        row = interaction_row(record.data, names, clock)
        if thread and sizes[thread] > 1:
            shown.add(thread)
            row["summary"] = _("{summary} [{count} emails in thread]").format(summary=row["summary"],
                                                                             count=sizes[thread])
        rows.append(row)
    return rows


def newest_first(records):
    """Interactions sorted by moment, newest first (ISO moments with offsets compare as instants
    only after conversion, so sort on the parsed value)."""
    def key(record):
        try:
            return datetime.fromisoformat(str(record.data.get("at"))).timestamp()
        except ValueError:
            return 0.0

    return sorted(records, key=key, reverse=True)
