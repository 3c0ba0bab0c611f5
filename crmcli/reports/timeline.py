"""`crm timeline`: interactions across parties (or with one), newest first."""

from __future__ import annotations

from crmcli.model.dates import parse_day
from crmcli.model.kinds import KINDS
from crmcli.model.views import Table
from crmcli.query.parse import bounded_limit
from crmcli.query.resolve import named_party, resolve_party
from crmcli.query.search import select
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_rows, newest_first
from crmcli.store.questions import Match


def timeline(repo, query: str = "", party: str | None = None, since: str | None = None, until: str | None = None,
             types=(), limit: int | None = None) -> Table:
    """Interactions matching `query` and the filters, newest first. `party` names one
    customer or supplier (id, name, prefix, pinyin); without it, a query that names a party
    alone (`crm timeline acme`) is that party's timeline."""
    limit = bounded_limit(limit)
    record = resolve_party(repo, party) if party else None
    if query and record is None:
        record = named_party(repo, query)
        query = "" if record else query
    match = Match(party=record.ref if record is not None else None,
                  since=parse_day(since, repo.clock).isoformat() if since else None,
                  # up to today unless asked: nothing after the day it is run as of
                  until=(parse_day(until, repo.clock) if until else repo.clock.today()).isoformat(),
                  one_of={"type": tuple(types)} if types else {})
    records = select(repo, query, (KINDS["interaction"],), match)
    records = newest_first(records)
    names = repo.index.party_names()
    rows = interaction_rows(records, names, repo.clock, limit)  # a thread is one row of the limit
    records = records[:limit] if limit else records
    return Table(
        INTERACTION_COLUMNS,
        rows,
        title=None,
        records=[r.data for r in records],
        empty="no interactions",
    )
