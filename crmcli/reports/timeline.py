"""`crm timeline`: interactions across parties (or with one), newest first."""

from __future__ import annotations

from crmcli.model.dates import parse_day
from crmcli.model.kinds import KINDS
from crmcli.model.views import Table
from crmcli.query.parse import bounded_limit
from crmcli.query.search import select
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_row, newest_first


def timeline(repo, query: str = "", party=None, since: str | None = None, until: str | None = None,
             types=(), limit: int | None = None) -> Table:
    """Interactions matching `query` and the filters, newest first."""
    limit = bounded_limit(limit)
    clauses, params = [], []
    if party is not None:
        clauses.append("party = ?")
        params.append(party.ref)
    if since:
        clauses.append("substr(day, 1, 10) >= ?")
        params.append(parse_day(since, repo.clock).isoformat())
    clauses.append("substr(day, 1, 10) <= ?")  # up to today unless asked: nothing after the day it is run as of
    params.append((parse_day(until, repo.clock) if until else repo.clock.today()).isoformat())
    if types:
        clauses.append(f"json_extract(data, '$.type') IN ({','.join('?' * len(types))})")
        params.extend(types)
    records = select(repo, query, (KINDS["interaction"],), " AND ".join(clauses), tuple(params))
    records = newest_first(records)[:limit] if limit else newest_first(records)
    names = repo.index.party_names()
    return Table(
        INTERACTION_COLUMNS,
        [interaction_row(r.data, names, repo.clock) for r in records],
        title=None,
        records=[r.data for r in records],
        empty="no interactions",
    )
