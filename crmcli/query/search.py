"""`crm search` and the query filter of every list: one compiled query, run in the index.

Search ranks exact id or name matches first, then name prefixes, then full-text
relevance (BM25, names weighing ten times the rest); when nothing matches, a fuzzy
match of party names catches typos (`acmee` → Acme) and is marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.jsonish import loads
from crmcli.model.kinds import KINDS, Kind, known_kind, title_of
from crmcli.model.record import Record, leaves
from crmcli.model.text import fold, has_cjk, match_spans, words
from crmcli.query.compile import compile_query, fts_phrase
from crmcli.query.parse import bounded_limit
from crmcli.query.resolve import parties_named

SNIPPET_WIDTH = 70
SNIPPET_SKIP = {"id", "created", "updated", "party"}
FUZZY_CUTOFF = 70


@dataclass
class Hit:
    record: Record
    match: str
    """exact (id or name), name (prefix, or part of a Chinese name), text, filter (fields only) or fuzzy;
    marked with N_, as `crm search` shows it in the run's language."""
    snippet: str = ""
    spans: list | None = None


def _compiled(repo, query: str):
    def tier_refs(tier: str) -> list[str]:
        from crmcli.reports.pipeline import tiers

        return sorted(ref for ref, name in tiers(repo).items() if name == tier)

    return compile_query(query, repo.clock, lambda text: parties_named(repo, text), tier_refs)


def _filter(repo, query: str, kinds: tuple[Kind, ...], where: str, params: tuple) -> tuple[str, list]:
    """The WHERE clause (over `files f`) for a query, kinds and an extra SQL filter."""
    compiled = _compiled(repo, query)
    clauses = [compiled.sql]
    values = list(compiled.params)
    if kinds:
        clauses.append(f"f.kind IN ({','.join('?' * len(kinds))})")
        values += [kind.name for kind in kinds]
    if where:
        clauses.append(where)
        values += list(params)
    return " AND ".join(f"({c})" for c in clauses), values


def select(repo, query: str = "", kinds: tuple[Kind, ...] = (), where: str = "", params: tuple = ()) -> list[Record]:
    """The records of `kinds` (all when empty) that match `query` and an extra SQL filter."""
    sql, values = _filter(repo, query, kinds, where, params)
    rows = repo.index.rows(sql, tuple(values))
    return [Record(path[:-5], known_kind(path), data) for path, data in rows]


def select_fields(repo, fields: dict[str, str], query: str = "", kinds: tuple[Kind, ...] = (), where: str = "",
                  params: tuple = (), join: str = "", group_by: str = "") -> list[dict]:
    """Only some values of the matching records, read by SQLite without decoding whole records:
    `fields` maps a name to an SQL expression over `f` (`f.data -> '$.totals.net'` keeps a
    number's exact text)."""
    sql, values = _filter(repo, query, kinds, where, params)
    names = list(fields)
    columns = ", ".join(fields[name] for name in names)
    grouping = f" GROUP BY {group_by}" if group_by else ""
    rows = repo.index.db.execute(f"SELECT {columns} FROM files f {join} WHERE f.data IS NOT NULL AND ({sql}){grouping}",
                                 values)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _ranked(repo, query: str, kinds: tuple[Kind, ...], limit: int) -> tuple[list[tuple], int]:
    compiled = _compiled(repo, query)
    phrases = [p for p in (fts_phrase(w) for w in compiled.words) if p]
    typed = fold(" ".join(compiled.words))
    sql = ["FROM files f"]
    params: list = []
    if phrases:
        sql.append("LEFT JOIN (SELECT rowid, bm25(fts, 10.0, 1.0) AS score FROM fts WHERE fts MATCH ?) r "
                   "ON r.rowid = f.file_id")
        params.append(" OR ".join(phrases))
    sql.append(f"WHERE f.data IS NOT NULL AND ({compiled.sql})")
    params += compiled.params
    if kinds:
        sql.append(f"AND f.kind IN ({','.join('?' * len(kinds))})")
        params += [kind.name for kind in kinds]
    body = " ".join(sql)
    total = repo.index.db.execute(f"SELECT count(*) {body}", params).fetchone()[0]
    named = ",".join(f"'{kind.name}'" for kind in KINDS.values() if kind.title_field == "name")
    tier = ("CASE WHEN f.title = ? OR lower(f.id) = ? THEN 0 "
            f"WHEN f.kind IN ({named}) AND (f.title LIKE ? OR lower(f.id) LIKE ?) THEN 1 ELSE 2 END") if typed else "2"
    contains = f"%{typed}%" if has_cjk(typed) else f"{typed}%"
    tier_params = [typed, typed, contains, f"{typed}%"] if typed else []
    score = "r.score" if phrases else "0"
    rows = repo.index.db.execute(
        f"SELECT f.path, f.data, {tier} AS tier FROM (SELECT f.file_id, f.day, {score} AS score {body}) hits "
        f"JOIN files f USING (file_id) ORDER BY tier, hits.score, hits.day DESC LIMIT ?",
        tier_params + params + [limit]).fetchall()
    return rows, total


def _fuzzy(repo, query: str, kinds: tuple[Kind, ...], limit: int) -> list[Record]:
    from rapidfuzz import fuzz, process

    allowed = {kind.name for kind in kinds} if kinds else None
    names = [row for row in repo.index.names(tuple(allowed or KINDS)) if row[1] == "name"]
    choices = {index: row[3] for index, row in enumerate(names)}
    hits = process.extract(fold(query), choices, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF, limit=limit)
    return [repo.load(names[index][0][:-5]) for _, _, index in hits]


def snippet(record: Record, needles: list[str]) -> tuple[str, list]:
    """A short piece of the record's text around the first match, with the match spans."""
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
    rows, total = _ranked(repo, query, kinds, bounded_limit(limit) or limit)
    needles = [w for w in words(" ".join(_compiled(repo, query).words)).split()]
    hits = []
    for path, data, tier in rows:
        record = Record(path[:-5], known_kind(path), loads(data))
        hits.append(Hit(record, (N_("exact"), N_("name"), N_("text") if needles else N_("filter"))[tier]))
    if not hits and needles:
        hits = [Hit(record, N_("fuzzy")) for record in _fuzzy(repo, query, kinds, limit)]
        total = len(hits)
    for hit in hits:
        hit.snippet, hit.spans = snippet(hit.record, needles)
    return hits, total
