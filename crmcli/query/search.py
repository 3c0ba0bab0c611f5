"""`crm search` and the query filter of every list: one compiled query, run in the index.

Search ranks exact id or name matches first, then name prefixes, then full-text
relevance (BM25, names weighing ten times the rest); when nothing matches, a fuzzy
match of party names catches typos (`acmee` → Acme) and is marked as such.
"""

from __future__ import annotations

from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.kinds import KINDS, Kind, title_of
from crmcli.model.likeness import close_spellings
from crmcli.model.record import Record, leaves
from crmcli.model.text import fold, match_spans, words
from crmcli.query.compile import Query
from crmcli.query.parse import bounded_limit
from crmcli.store.questions import Match

SNIPPET_WIDTH = 70
SNIPPET_SKIP = {"id", "created", "updated", "party"}


class Hit(NamedTuple):
    """One record found, how it was found and where the words are in it. A named tuple,
    not a dataclass: `crm search` defines it at start-up, at a fraction of the cost."""

    record: Record
    match: str
    """exact (id or name), name (prefix, or part of a Chinese name), text, filter (fields only) or fuzzy;
    marked with N_, as `crm search` shows it in the run's language."""
    snippet: str = ""
    spans: list | None = None


def query_of(repo, text: str) -> Query:
    """`text` in the query language, with how the store resolves party names and tiers in it."""
    def party_refs(name: str) -> list[str]:
        # lazy: name resolution and the sales tiers load in about 2 ms (python -X importtime);
        # only a query with `party:` or `tier:` asks for them
        from crmcli.query.resolve import parties_named

        return parties_named(repo, name)

    def tier_refs(tier: str) -> list[str]:
        from crmcli.query.sales import tiers  # lazy: as in `party_refs`

        return sorted(ref for ref, name in tiers(repo).items() if name == tier)

    return Query(text, party_refs, tier_refs)


def select(repo, query: str = "", kinds: tuple[Kind, ...] = (), match: Match | None = None) -> list[Record]:
    """The records of `kinds` (all when empty) that match `query` and `match`."""
    return repo.ask.records((match or Match())._replace(kinds=tuple(kind.name for kind in kinds),
                                                        query=query_of(repo, query)))


def _fuzzy(repo, query: str, kinds: tuple[Kind, ...], limit: int) -> list[Record]:
    allowed = {kind.name for kind in kinds} if kinds else None
    names = [row for row in repo.index.names(tuple(allowed or KINDS)) if row[1] == "name"]
    choices = {index: row[3] for index, row in enumerate(names)}
    return [repo.load(names[index][0][:-5]) for index, _score in close_spellings(fold(query), choices, limit)]


def snippet(record: Record, needles: list[str]) -> tuple[str, list]:
    """A short piece of the record's text around the first match of `needles` (folded), with
    the match spans."""
    texts = [title_of(record.kind, record.data)]
    texts += [str(v) for p, v in leaves(record.data) if isinstance(v, str) and p not in SNIPPET_SKIP]
    for text in texts:
        line = " ".join(text.split())
        spans = match_spans(line, needles)
        if spans:
            start = max(0, spans[0][0] - SNIPPET_WIDTH // 3)
            end = min(len(line), start + SNIPPET_WIDTH)
            piece = line[start:end]
            prefix = "…" if start else ""
            shown = [(a - start + len(prefix), b - start + len(prefix)) for a, b in spans if a >= start and b <= end]
            return prefix + piece + ("…" if end < len(line) else ""), shown
    return "", []


def search(repo, query: str, kinds: tuple[Kind, ...] = (), limit: int = 50) -> tuple[list[Hit], int]:
    """The best `limit` records for `query`, and how many matched in all."""
    if not query.strip():
        raise InvalidValue(_("the query is empty"))
    match = Match(kinds=tuple(kind.name for kind in kinds), query=query_of(repo, query))
    rows, total, free = repo.ask.ranked(match, bounded_limit(limit) or limit)
    needles = words(" ".join(free)).split()
    folded = sorted({fold(needle) for needle in needles} - {""})
    found = [(record, (N_("exact"), N_("name"), N_("text") if needles else N_("filter"))[tier])
             for record, tier in rows]
    if not found and needles:
        found = [(record, N_("fuzzy")) for record in _fuzzy(repo, query, kinds, limit)]
        total = len(found)
    return [Hit(record, how, *snippet(record, folded)) for record, how in found], total
