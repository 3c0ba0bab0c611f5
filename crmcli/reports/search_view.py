"""How `crm search` hits read: kind, id, name or summary, and the snippet that matched."""

from __future__ import annotations

from crmcli.i18n import _
from crmcli.model.views import KEEP, LOW, Column, Table

COLUMNS = [
    Column("kind", "kind", translate=True),
    Column("id", "id", style="id"),
    Column("title", "name / summary", priority=KEEP),
    Column("snippet", "match", style="snippet"),
    Column("match", "by", style="muted", translate=True, priority=LOW),
]


def search_table(hits, total: int) -> Table:
    rows = [{"kind": hit.record.kind.name, "id": hit.record.id, "title": hit.record.title,
             "snippet": hit.snippet, "_spans": {"snippet": hit.spans or []}, "match": hit.match,
             "_style": "dim" if hit.match == "fuzzy" else None}
            for hit in hits]
    records = [{"kind": hit.record.kind.name, "ref": hit.record.ref, "match": hit.match, "snippet": hit.snippet,
                "record": hit.record.data} for hit in hits]
    shown = _("{shown} of {total}").format(shown=len(hits), total=total) if total > len(hits) else str(total)
    return Table(COLUMNS, rows, title=_("{count} match(es)").format(count=shown), records=records,
                 empty="nothing matches")
