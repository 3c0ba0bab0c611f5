"""Turning a parsed query into SQL over the index, so every list filters in SQLite.

Free words become FTS5 phrase queries (Chinese as a phrase of characters, so one-
and two-character names match; Latin words as prefixes), fielded terms look in the
`terms` table, comparisons read dates and numbers there. The same compiled filter
serves `crm search`, `crm customer list QUERY`, `crm timeline QUERY` and the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.dates import Clock, parse_day
from crmcli.model.kinds import kind_named
from crmcli.model.periods import parse_period
from crmcli.model.text import has_cjk, words
from crmcli.query.parse import And, Field, Not, Or, QueryError, Text, parse
from crmcli.store.questions import horizon, state_was

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
YEAR = re.compile(r"^\d{4}$")
RANGE_HINT = N_("use a year (2026), a quarter (2026-Q3), a month (2026-11), a day (2026-11-05 or today), "
                "LOW..HIGH (2026-11-01..2026-11-30), this-month, last-month or ytd")
NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


class Compiled(NamedTuple):
    """A WHERE clause over `files f` with its parameters, and the free words with their
    FTS5 phrases (for ranking); see store/questions.py's `Compiled`. A named tuple, not a
    dataclass: every command defines it at start-up, at a fraction of the cost."""

    sql: str
    params: list
    words: list[str]
    rest: tuple[str, list] | None = None
    """The filter without the free words, when every free word must match (each one of the
    query's top-level AND): one FTS5 MATCH of them all then finds the records and ranks them
    in the same pass (store/questions.py `ranked`). None when a word is ORed or negated."""

    @property
    def phrases(self) -> list[str]:
        return [p for p in (fts_phrase(w) for w in self.words) if p]


class Query(NamedTuple):
    """A query in the query language as the store takes it (a `Filter` of store/questions.py),
    with how to resolve what the index cannot know: `party_refs(text)` the parties a
    `party:` value names, `tier_refs(tier)` the customers in a loyalty tier. A named tuple,
    not a frozen dataclass: every command that reads defines it at start-up, at a fifth of
    the cost."""

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


def _span(value: str, clock: Clock) -> tuple[date, date] | None:
    """The first and last day of the period `value` names (`2026`, `2026-Q3`, `2026-11`,
    `2026-11-01..2026-11-30`, `this-month`) or of the one day it names (`2026-11-05`, `today`)."""
    try:
        period = parse_period(value, clock.today())
        return period.start, period.end
    except InvalidValue:
        pass
    try:
        day = parse_day(value, clock)
    except InvalidValue:
        return None
    return day, day


def _bounds(value: str, name: str, query: str, position: int, clock: Clock, upper: bool) -> tuple[str, object]:
    """A comparable bound: ("num", float) or ("day", ISO date); a period widens to its span, so
    its first day is the lower bound and its last the upper. In a date field a year is a year."""
    value = value.strip()
    if NUMBER.match(value) and not (is_date_field(name) and YEAR.match(value)):
        return "num", float(value)
    span = _span(value, clock)
    if span is None:
        message = (_("unknown date range {value!r}: {hint}").format(value=value, hint=_(RANGE_HINT))
                   if is_date_field(name) else _("{value!r} is not a date or a number").format(value=value))
        raise QueryError(message, query, position)
    return "day", (span[1] if upper else span[0]).isoformat()


def _compare(term: Field, query: str, clock: Clock) -> tuple[str, list]:
    """A comparison (`amount>10000`, `due<today`) or a range: `LOW..HIGH`, or a date field's
    period (`date:2026-Q3` is every day of that quarter)."""
    where, params = _where_field(term.name)
    if term.op == ":":
        high_text = term.value if term.high is None else term.high
        high_at = term.value_position if term.high is None else term.value_position + len(term.value) + 2
        low_kind, low = _bounds(term.value, term.name, query, term.value_position, clock, upper=False)
        high_kind, high = _bounds(high_text, term.name, query, high_at, clock, upper=True)
        if low_kind != high_kind:
            raise QueryError(_("a range needs two dates or two numbers"), query, term.value_position)
        return f"{where} AND t.{low_kind} BETWEEN ? AND ?", params + [low, high]
    kind, bound = _bounds(term.value, term.name, query, term.value_position, clock, upper=term.op in (">", "<="))
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
        return _joined([self.node(child, negated) for child in nodes], joiner, empty)

    def text(self, node: Text, negated: bool) -> tuple[str, list]:
        expression = fts_phrase(node.value)
        assert expression is not None, "words with nothing to search for are pruned before (`_without_empty_words`)"
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
        if term.op in (">", ">=", "<", "<=") or term.high is not None or (term.op == ":" and is_date_field(term.name)):
            inner, params = _compare(term, self.query, self.clock)
        else:
            inner, params = _matches(term)
        sql = f"f.file_id IN (SELECT t.file_id FROM terms t WHERE {inner})"
        pinned = horizon(self.clock)
        if pinned is not None and term.op in (":", "=", "!="):  # a status as of the pinned day, not as written since
            sql, params = state_was(term.name, term.value, pinned, (sql, params))
        return (f"NOT ({sql})", params) if term.op == "!=" else (sql, params)


def compile_query(query: str, clock: Clock, party_refs=None, tier_refs=None) -> Compiled:
    """The SQL filter for `query`; `party_refs(text)` lists the party refs a `party:` value names,
    `tier_refs(tier)` the customers in a loyalty tier (computed, so not in the index)."""
    tree = _without_empty_words(parse(query), query)
    compiler = _Compiler(query, clock, party_refs, tier_refs)
    conjuncts = [(node, compiler.node(node)) for node in (tree.nodes if isinstance(tree, And) else (tree,))]
    sql, params = _joined([part for _node, part in conjuncts])
    required = [node.value for node, _part in conjuncts if isinstance(node, Text)]  # each with a phrase (pruned)
    rest = (_joined([part for node, part in conjuncts if not isinstance(node, Text)])
            if required and required == compiler.words else None)
    return Compiled(sql, params, compiler.words, rest)


def _without_empty_words(tree, query: str):
    """`tree` without the words that have nothing to search for (`-`, `""`, a dash pasted with a
    summary), as if they were not typed, and without a NOT or an OR left with nothing but them.
    Taken as true, they made `crm search -` list every record as a match; a query of nothing
    else is refused, pointing at the first of them."""
    dropped: list[Text] = []

    def pruned(node):
        if isinstance(node, Text):
            if fts_phrase(node.value):
                return node
            dropped.append(node)
            return None
        if isinstance(node, Not):
            inner = pruned(node.node)
            return None if inner is None else Not(inner)
        if isinstance(node, (And, Or)):
            kept = tuple(child for child in map(pruned, node.nodes) if child is not None)
            return type(node)(kept) if kept else None
        return node

    if tree == And(()):
        return tree
    left = pruned(tree)
    if left is None:
        raise QueryError(_("{text!r} has nothing to search for: a word needs a letter, a digit or a Chinese "
                           "character").format(text=dropped[0].value), query, dropped[0].position)
    return left


def _joined(parts: list[tuple[str, list]], joiner: str = " AND ", empty: str = "1") -> tuple[str, list]:
    """Compiled parts joined by AND (or OR), with their parameters; `empty` when there are none."""
    if not parts:
        return empty, []
    return "(" + joiner.join(sql for sql, _params in parts) + ")", [p for _sql, params in parts for p in params]

