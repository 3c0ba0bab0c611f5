"""`crm timeline`: interactions across parties (or with one), newest first."""

from __future__ import annotations

from crmcli.model.dates import parse_day
from crmcli.model.views import Table
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_row, newest_first


def timeline(repo, party=None, since: str | None = None, until: str | None = None,
             types=(), limit: int | None = None) -> Table:
    clauses, params = [], []
    if party is not None:
        clauses.append("party = ?")
        params.append(party.ref)
    if since:
        clauses.append("substr(day, 1, 10) >= ?")
        params.append(parse_day(since, repo.clock).isoformat())
    if until:
        clauses.append("substr(day, 1, 10) <= ?")
        params.append(parse_day(until, repo.clock).isoformat())
    records = repo.records("interaction", " AND ".join(clauses), tuple(params))
    if types:
        records = [r for r in records if r.data.get("type") in types]
    records = newest_first(records)[:limit] if limit else newest_first(records)
    names = repo.index.party_names()
    return Table(
        INTERACTION_COLUMNS,
        [interaction_row(r.data, names, repo.clock) for r in records],
        title=None,
        records=[r.data for r in records],
        empty="no interactions",
    )
