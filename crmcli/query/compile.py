"""Turning a parsed query into SQL over the index, so every list filters in SQLite.

Free words become FTS5 phrase queries (Chinese as a phrase of characters, so one-
and two-character names match; Latin words as prefixes), fielded terms look in the
`terms` table, comparisons read dates and numbers there. The same compiled filter
serves `crm search`, `crm customer list QUERY`, `crm timeline QUERY` and the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import Clock, month_end, parse_day
from crmcli.model.kinds import kind_named
from crmcli.model.text import has_cjk, words
from crmcli.query.parse import And, Field, Not, Or, QueryError, Text, parse

ALIASES = {
    "tag": ("tags",),
    "city": ("addresses.city",),
    "country": ("addresses.country",),
    "street": ("addresses.street",),
    "phone": ("phones", "contacts.phones"),
    "email": ("emails", "contacts.emails"),
    "wechat": ("contacts.wechat",),
    "contact": ("contact", "contacts.name"),
    "title": ("title", "contacts.title"),
    "note": ("notes", "body"),
    "text": ("summary", "body", "notes"),
    "due": ("next.due", "due", "delivery_due", "payment_due"),
    "amount": ("amount", "value", "totals.gross"),
    "date": ("date", "at"),
}
DATE_FIELDS = {"date", "at", "created", "updated", "due", "start", "end", "signed", "delivered", "birthday"}
PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


@dataclass
class Compiled:
    """A WHERE clause over `files f` with its parameters, and the free words with their
    FTS5 phrases (for ranking); see store/questions.py's `Compiled`."""

    sql: str
    params: list = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    @property
    def phrases(self) -> list[str]:
        return [p for p in (fts_phrase(w) for w in self.words) if p]


@dataclass(frozen=True)
class Query:
    """A query in the query language as the store takes it (a `Filter` of store/questions.py),
    with how to resolve what the index cannot know: `party_refs(text)` the parties a
    `party:` value names, `tier_refs(tier)` the customers in a loyalty tier."""

    text: str
    party_refs: Callable[[str], list[str]] | None = None
    tier_refs: Callable[[str], list[str]] | None = None

    def compiled(self, clock: Clock) -> Compiled:
        return compile_query(self.text, clock, self.party_refs, self.tier_refs)


def fts_phrase(text: str) -> str | None:
    """An FTS5 phrase matching `text` in the index's word form, the last Latin word as a
    prefix (`muller str` → "muller" + "str"*; 张伟 → "张" + "伟"); None when nothing is left."""
    tokens = words(text).split()
    if not tokens:
        return None
    phrase = " + ".join('"' + token.replace('"', '""') + '"' for token in tokens)
    return phrase + ("" if has_cjk(tokens[-1]) else "*")


def _where_field(name: str) -> tuple[str, list]:
    """The stored fields a query field looks in: a short name's (ALIASES), else the field
    itself, top-level (`status`) or by dotted path (`contacts.title`), never a namesake
    deeper down (`history.status` is not `status`)."""
    paths = ALIASES.get(name) or (name,)
    return f"t.field IN ({','.join('?' * len(paths))})", list(paths)


def is_date_field(name: str) -> bool:
    """Whether a query field holds dates, so that `2026` in it means a year, not a number."""
    last = name.rsplit(".", 1)[-1]
    return last in DATE_FIELDS or last.endswith("_due")


def _span(match: re.Match) -> tuple[date, date]:
    """The first and last day of a year, a month or a day."""
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    if day:
        start = end = date(year, int(month), int(day))
    elif month:
        start = date(year, int(month), 1)
        end = month_end(start)
    else:
        start, end = date(year, 1, 1), date(year, 12, 31)
    return start, end


def _bounds(text: str, term: Field, query: str, clock: Clock, upper: bool) -> tuple[str, object]:
    """A comparable bound: ("day", ISO date) or ("num", float); partial dates widen to their span."""
    value = text.strip()
    match = PARTIAL_DATE.match(value)
    if match and (match.group(2) or is_date_field(term.name)):
        try:
            start, end = _span(match)
        except ValueError:
            raise QueryError(_("{value!r} is no such day").format(value=value), query, term.value_position) from None
        return "day", (end if upper else start).isoformat()
    if NUMBER.match(value):
        return "num", float(value)
    try:
        return "day", parse_day(value, clock).isoformat()
    except InvalidValue:
        raise QueryError(_("{value!r} is not a date or a number").format(value=value), query,
                         term.value_position) from None


def _compare(term: Field, query: str, clock: Clock) -> tuple[str, list]:
    where, params = _where_field(term.name)
    if term.high is not None:
        low_kind, low = _bounds(term.value, term, query, clock, upper=False)
        high_kind, high = _bounds(term.high, term, query, clock, upper=True)
        if low_kind != high_kind:
            raise QueryError(_("a range needs two dates or two numbers"), query, term.value_position)
        return f"{where} AND t.{low_kind} BETWEEN ? AND ?", params + [low, high]
    kind, bound = _bounds(term.value, term, query, clock, upper=term.op in (">", "<="))
    return f"{where} AND t.{kind} {term.op} ?", params + [bound]


def _matches(term: Field) -> tuple[str, list]:
    where, params = _where_field(term.name)
    value = words(term.value)
    if not value:
        return "0", []
    if term.op in ("=", "!="):
        return f"{where} AND t.text = ?", params + [value]
    literal = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if has_cjk(value):
        return f"{where} AND t.text LIKE ? ESCAPE '\\'", params + [f"%{literal}%"]
    like = "t.text LIKE ? ESCAPE '\\'"
    return (f"{where} AND (t.text = ? OR {like} OR {like} OR {like})",
            params + [value, f"{literal} %", f"% {literal}", f"% {literal} %"])


class _Compiler:
    def __init__(self, query: str, clock: Clock, party_refs, tier_refs):
        self.query = query
        self.clock = clock
        self.party_refs = party_refs
        self.tier_refs = tier_refs
        self.words: list[str] = []

    def node(self, node, negated: bool = False) -> tuple[str, list]:
        if isinstance(node, And):
            return self.group(node.nodes, " AND ", negated, empty="1")
        if isinstance(node, Or):
            return self.group(node.nodes, " OR ", negated, empty="0")
        if isinstance(node, Not):
            sql, params = self.node(node.node, not negated)
            return f"NOT ({sql})", params
        if isinstance(node, Text):
            return self.text(node, negated)
        return self.field(node)

    def group(self, nodes, joiner: str, negated: bool, empty: str) -> tuple[str, list]:
        parts = [self.node(child, negated) for child in nodes]
        if not parts:
            return empty, []
        return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]

    def text(self, node: Text, negated: bool) -> tuple[str, list]:
        expression = fts_phrase(node.value)
        if expression is None:
            return "1", []
        if not negated:
            self.words.append(node.value)
        return "f.file_id IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [expression]

    def field(self, term: Field) -> tuple[str, list]:
        if term.name == "kind":
            try:
                kind = kind_named(term.value)
            except InvalidValue as error:
                raise QueryError(error.message, self.query, term.value_position) from error
            sql = "f.kind = ?" if term.op in (":", "=") else "f.kind != ?"
            return sql, [kind.name]
        if term.name == "id" and term.op in (":", "="):
            return "upper(f.id) = ?", [term.value.upper()]
        if term.name == "tier" and term.op in (":", "=") and self.tier_refs is not None:
            refs = self.tier_refs(term.value.lower())
            if not refs:
                return "0", []
            return f"substr(f.path, 1, length(f.path) - 5) IN ({','.join('?' * len(refs))})", list(refs)
        if term.name == "party" and term.op == ":" and self.party_refs is not None:
            refs = self.party_refs(term.value)
            return f"f.party IN ({','.join('?' * len(refs))})" if refs else "0", list(refs)
        if term.op in (">", ">=", "<", "<=") or term.high is not None:
            inner, params = _compare(term, self.query, self.clock)
        else:
            inner, params = _matches(term)
        sql = f"f.file_id IN (SELECT t.file_id FROM terms t WHERE {inner})"
        return (f"NOT ({sql})", params) if term.op == "!=" else (sql, params)


def compile_query(query: str, clock: Clock, party_refs=None, tier_refs=None) -> Compiled:
    """The SQL filter for `query`; `party_refs(text)` lists the party refs a `party:` value names,
    `tier_refs(tier)` the customers in a loyalty tier (computed, so not in the index)."""
    tree = parse(query)
    compiler = _Compiler(query, clock, party_refs, tier_refs)
    sql, params = compiler.node(tree)
    return Compiled(sql, params, compiler.words)

