"""`crm customer list` / `crm supplier list`: parties with their key facts and last contact."""

from __future__ import annotations

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.kinds import Kind
from crmcli.model.text import fold
from crmcli.model.views import KEEP, LOW, Column, Table
from crmcli.query.search import select
from crmcli.reports.common import when


def _primary(data: dict) -> str:
    contacts = data.get("contacts") or []
    chosen = next((c for c in contacts if c.get("primary")), contacts[0] if contacts else None)
    return str(chosen.get("name", "")) if chosen else ""


def _city(data: dict) -> str:
    addresses = data.get("addresses") or []
    return str(addresses[0].get("city", "")) if addresses else ""


def with_filters(query: str, filters: dict) -> str:
    """`query` narrowed by exact-value options (`--tag vip --owner li`), as query terms."""
    terms = [query] if query else []
    pairs = [("tags", tag) for tag in filters.get("tags") or []]
    pairs += [(field, filters[field]) for field in ("owner", "region", "lifecycle") if filters.get(field)]
    for field, value in pairs:
        if '"' in value:
            raise InvalidValue(_("--{option} {value!r}: a value cannot hold a double quote").format(
                option=field.rstrip("s"), value=value))
        terms.append(f'{field}="{value}"')
    return " ".join(terms)


SORTS = ("name", "last", "created", "owner")


def party_list(repo, kind: Kind, query: str = "", filters: dict | None = None, sort: str = "name") -> Table:
    """The parties of `kind` matching `query` (the query language of `crm search`), sorted by
    name (Chinese names by pinyin), by last contact (the longest without one first), by
    creation (newest first) or by owner, then name."""
    parties = select(repo, with_filters(query, filters or {}), (kind,))
    sort_keys = repo.index.sort_names()
    last = repo.index.last_contacts()
    parties.sort(key=lambda p: sort_keys.get(p.ref, fold(p.title)))
    if sort == "last":
        parties.sort(key=lambda p: str(last.get(p.ref) or ""))
    elif sort == "created":
        parties.sort(key=lambda p: str(p.data.get("created") or ""), reverse=True)
    elif sort == "owner":
        parties.sort(key=lambda p: str(p.data.get("owner") or ""))
    columns = [Column("id", "id", style="id"), Column("name", "name", priority=KEEP)]
    if kind.name == "customer":
        columns.append(Column("lifecycle", "lifecycle", translate=True))
    columns += [Column("owner", "owner", priority=LOW), Column("region", "region", priority=LOW),
                Column("city", "city"), Column("contact", "primary contact"), Column("tags", "tags", priority=LOW),
                Column("last", "last contact", style="date", priority=KEEP)]
    rows = [{**p.data, "id": p.id, "city": _city(p.data), "contact": _primary(p.data),
             "last": when(last.get(p.ref), repo.clock)[:10]} for p in parties]
    return Table(columns, rows, records=[p.data for p in parties],
                 empty=_("no {kinds} match").format(kinds=_(kind.folder)))
