"""`crm customer list` / `crm supplier list`: parties with their key facts and last contact."""

from __future__ import annotations

from crmcli.model.kinds import Kind
from crmcli.model.text import fold
from crmcli.model.views import Column, Table
from crmcli.query.search import select
from crmcli.reports.common import when


def _primary(data: dict) -> str:
    contacts = data.get("contacts") or []
    chosen = next((c for c in contacts if c.get("primary")), contacts[0] if contacts else None)
    return str(chosen.get("name", "")) if chosen else ""


def _city(data: dict) -> str:
    addresses = data.get("addresses") or []
    return str(addresses[0].get("city", "")) if addresses else ""


def party_list(repo, kind: Kind, query: str = "") -> Table:
    """The parties of `kind` matching `query` (the query language of `crm search`)."""
    parties = select(repo, query, (kind,))
    sort_keys = repo.index.sort_names()
    parties.sort(key=lambda p: sort_keys.get(p.ref, fold(p.title)))
    last = repo.index.last_contacts()
    columns = [Column("id", "id", style="id"), Column("name", "name")]
    if kind.name == "customer":
        columns.append(Column("lifecycle", "lifecycle"))
    columns += [Column("owner", "owner"), Column("region", "region"), Column("city", "city"),
                Column("contact", "primary contact"), Column("tags", "tags"), Column("last", "last contact", style="date")]
    rows = [{**p.data, "id": p.id, "city": _city(p.data), "contact": _primary(p.data),
             "last": when(last.get(p.ref), repo.clock)[:10]} for p in parties]
    return Table(columns, rows, records=[p.data for p in parties], empty=f"no {kind.folder} match")
