"""The questions use cases ask the index, in their own terms: which records, how many, what
sums. This module and store/index.py are the only ones that know the index's tables,
columns and JSON layout; the query language's compiler (query/compile.py) is run from here,
through the `Filter` a use case hands over. A use case says what it wants with a `Match`
or asks a named question, so the index can change shape by editing the store alone.

Every value a use case or a user supplies reaches SQLite as a bound parameter, JSON paths
included; the only text spliced into SQL is this module's own, and field names, which
must be plain dotted identifiers (`FIELD` below)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import NamedTuple, Protocol

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import Clock
from crmcli.model.jsonish import loads
from crmcli.model.kinds import BY_FOLDER, KINDS, TIMELESS, known_kind
from crmcli.model.orders import ORDER_GROUP_KEYS, OWING_STATES, GroupKey, as_of
from crmcli.model.record import Record
from crmcli.model.text import fold, has_cjk, words
from crmcli.model.workflow import MOVED_FIELDS, moved_as_of
from crmcli.store.index import order_rows

FIELD = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def _path(name: str) -> str:
    """The JSON path of a record field, refused unless it is a plain dotted name."""
    if not FIELD.match(name):
        raise ValueError(f"not a field name: {name!r}")
    return "$." + name


def _after(day: str) -> str:
    """The day after an ISO day: `day < after` holds for the day itself and for moments on it."""
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()


def _narrowed_by_terms(name: str, values) -> bool:
    """Whether a `one_of` on this field may first be narrowed through the `terms` table (its
    words of each value, indexed): a top-level field and short text values, for which the
    terms hold a superset of the records with exactly those values."""
    return "." not in name and bool(values) and all(isinstance(v, str) and len(v) < 200 for v in values)


def _literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its own % and _ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


BATCH = 500
"""Records read by file id in one statement (a parameter each)."""


def _marks(values) -> str:
    return ",".join("?" * len(values))


def horizon(clock: Clock) -> str | None:
    """The last day a run sees, when its today is pinned (`--today`, `CRM_TODAY`): a view as
    of a day holds nothing dated after it. Every question is bounded by it here, once, so no
    view (lists, 360° view, ledger, reports, exports) can forget to be; records read from the
    index are trimmed to it as well (`model.orders.as_of`: a later payment is not paid yet)."""
    return clock.today().isoformat() if clock.pinned is not None else None


def _payments(horizon_day: str | None) -> tuple[str, list]:
    """The rows of `json_each` over an order's payments that count as of the horizon (SQL to
    follow `FROM`, with its parameters): all of them when the run is not pinned."""
    if horizon_day is None:
        return f"json_each(f.data, '$.payments') WHERE {READABLE_PAYMENTS}", []
    return (f"json_each(f.data, '$.payments') WHERE {READABLE_PAYMENTS} AND coalesce(value ->> '$.date', '') < ?"), \
        [_after(horizon_day)]


LOCKED_MARK = "locked"
READABLE_PAYMENTS = "json_type(f.data, '$.payments') = 'array'"
"""An order's payments are a list, unless they are encrypted and this user's key cannot read
them: the index then holds their envelope (text), and what was paid is unknown, not zero."""
LOCKED_PAYMENTS = "json_type(f.data, '$.payments') = 'text'"


def _field(name: str, horizon_day: str | None) -> tuple[str, list]:
    """SQL for a record field's value (over `files f`, with its parameters), as of the horizon:
    a state that moves with a history (`MOVED_FIELDS`: an order's status, a deal's stage) is
    then the one of its last move made by that day when a later move is hidden, as
    `workflow.moved_as_of` has it in Python. Plain `json_extract` when the run is not pinned."""
    if not _winds_back(name, horizon_day):
        return "json_extract(f.data, ?)", [_path(name)]
    kinds = [kind for kind, moved in MOVED_FIELDS.items() if moved == name]
    moves = ("FROM json_each(f.data, '$.history') h WHERE h.type = 'object' "
             "AND substr(coalesce(h.value ->> '$.at', ''), 1, 10)")
    return (f"(CASE WHEN f.kind IN ({_marks(kinds)}) AND EXISTS (SELECT 1 {moves} > ?) THEN "
            f"coalesce((SELECT h.value ->> '$.status' {moves} <= ? AND h.value ->> '$.status' IS NOT NULL "
            f"ORDER BY h.key DESC LIMIT 1), json_extract(f.data, ?)) ELSE json_extract(f.data, ?) END)",
            [*kinds, horizon_day, horizon_day, _path(name), _path(name)])


def state_was(name: str, value: str, horizon_day: str, otherwise: tuple[str, list]) -> tuple[str, list]:
    """SQL (over `files f`) for the query language's `status:confirmed` in a run pinned to a
    day, as `Match.one_of` has it: a record of a kind whose `name` moves with a history
    (`MOVED_FIELDS`) matches when that state was `value` (in any case) at the horizon;
    any other record when `otherwise` (the term's plain test) holds."""
    kinds = [kind for kind, moved in MOVED_FIELDS.items() if moved == name]
    if not kinds:
        return otherwise
    state, params = _field(name, horizon_day)
    return (f"(CASE WHEN f.kind IN ({_marks(kinds)}) THEN coalesce(lower({state}) = ?, 0) ELSE {otherwise[0]} END)",
            [*kinds, *params, value.lower(), *otherwise[1]])


def _winds_back(name: str, horizon_day: str | None) -> bool:
    """Whether the field's value as of the horizon may differ from the one written (`_field`)."""
    return horizon_day is not None and name in MOVED_FIELDS.values()


class Compiled(Protocol):
    """A query compiled to a WHERE clause over `files f` (bound values in `params`), with
    its free words and their FTS5 phrases (for ranking)."""

    @property
    def sql(self) -> str: ...

    @property
    def params(self) -> list: ...

    @property
    def words(self) -> list[str]: ...

    @property
    def rest(self) -> tuple[str, list] | None:
        """The filter without the free words, when every free word must match; else None."""

    @property
    def phrases(self) -> list[str]: ...


class Filter(Protocol):
    """A query in the query language (query/compile.py's `Query`): it compiles itself, so the
    store runs it without knowing the language, and the language never imports the store."""

    def compiled(self, clock: Clock) -> Compiled: ...


class Match(NamedTuple):
    """Which records a use case wants; every condition given must hold. Fields are named as
    in the records (`status`, `totals.gross`); days are ISO days, compared on the day part
    of a moment. A named tuple, not a frozen dataclass: every command defines it at start-up,
    at a fifth of the cost."""

    kinds: tuple[str, ...] = ()
    query: Filter | None = None
    party: str | None = None
    """Records about this party (its reference)."""
    one_of: Mapping[str, tuple] = MappingProxyType({})
    """Field → the values it may have."""
    none_of: Mapping[str, tuple] = MappingProxyType({})
    """Field → values it may not have (a record without the field does not match either)."""
    present: tuple[str, ...] = ()
    """Fields that must be set."""
    counted: bool = False
    """Orders that count toward sales targets (`model.orders.counts_toward_target`, in SQL):
    `counts_toward_target` unless it is unset, then every type but `special`."""
    by: tuple[str, str] | None = None
    """(field, day): the field's day falls on or before the day."""
    since: str | None = None
    """The record's day (`at`, `date`, else `created`) is this day or later."""
    until: str | None = None
    """The record's day is this day or earlier."""
    open_due: bool = False
    """The record is an open next step or reminder."""
    due_by: str | None = None
    """An open next step or reminder falls due on or before this day."""
    unpaid: bool = False
    """Orders whose gross is not yet paid in full."""
    mentions: str | None = None
    """Records that name this reference anywhere."""
    holds: tuple[str, str] | None = None
    """(field, value): a list field of plain values (`roles`) holds exactly this value."""
    listing: tuple[str, str] | None = None
    """(field, value): a list field (`lines.sku`) holds this value."""
    id_is: str | None = None
    """The id, in any case."""
    id_starts: str | None = None
    """The id starts with this, in any case."""
    owned_by: str | None = None
    """Records about a party that this owner looks after."""
    every_day: bool = False
    """Records of every day, past the horizon of a run pinned to a day (`horizon`): for what
    must see the whole data directory whatever the view, such as `crm check` and the writes
    that rewrite or look for references."""

    def where(self, clock, compiled: Compiled | None = None, worded: bool = False,
              dated_beyond: bool = True) -> tuple[str, list]:
        """The WHERE clause over `files f` and its parameters (`compiled`: the query's, if
        compiled already); "1" when it asks nothing. `worded`: the caller joins `files f` to an
        FTS5 MATCH of all the query's free words (see `Compiled.rest`), which holds readable
        records only. `dated_beyond`: whether a dated record may lie after the horizon (see
        `Questions.dated_after`); when none does, the horizon bounds nothing and is left out."""
        clauses: list[str] = ["1" if worded else "f.data IS NOT NULL"]
        params: list = []

        def add(sql: str, *values) -> None:
            clauses.append(sql)
            params.extend(values)

        last_day = None if self.every_day else horizon(clock)
        if last_day is not None and dated_beyond:
            add(f"(f.kind IN ({_marks(TIMELESS)}) OR f.day IS NULL OR f.day < ?)", *TIMELESS, _after(last_day))

        # A party's records are few and found by the index of parties; given a kind and days too,
        # SQLite took the index of kinds and days instead, every interaction up to today
        # (2 s of `crm show` at 1,000,000 records). A `+` keeps a column out of index choice.
        unindexed = "" if self.party is None else "+"
        if self.kinds:
            add(f"{unindexed}f.kind IN ({_marks(self.kinds)})", *self.kinds)
        if self.query is not None:
            compiled = compiled or self.query.compiled(clock)
            sql, query_params = (compiled.rest if worded and compiled.rest is not None
                                 else (compiled.sql, compiled.params))
            if sql != "1" or query_params:
                add(f"({sql})", *query_params)
        if self.party is not None:
            add("f.party = ?", self.party)
        for name, values in self.one_of.items():
            value, value_params = _field(name, last_day)
            # the terms hold a record's words as written, not as of the horizon
            if _narrowed_by_terms(name, values) and not _winds_back(name, last_day):  # then few records are tested
                add(f"f.file_id IN (SELECT file_id FROM terms WHERE field = ? AND text IN ({_marks(values)}))",
                    name, *[words(value) for value in values])
            add(f"{value} IN ({_marks(values)})", *value_params, *values)
        for name, values in self.none_of.items():
            value, value_params = _field(name, last_day)
            add(f"{value} NOT IN ({_marks(values)})", *value_params, *values)
        for name in self.present:
            add("json_extract(f.data, ?) IS NOT NULL", _path(name))
        if self.counted:
            add("coalesce(json_extract(f.data, '$.counts_toward_target'), "
                "coalesce(json_extract(f.data, '$.type'), '') != 'special') != 0")
        if self.by is not None:
            add("f.file_id IN (SELECT file_id FROM terms WHERE field = ? AND day < ?)", self.by[0], _after(self.by[1]))
            add("json_extract(f.data, ?) < ?", _path(self.by[0]), _after(self.by[1]))
        if self.since is not None:
            add(f"{unindexed}f.day >= ?", self.since[:10])
        if self.until is not None:
            add(f"{unindexed}f.day < ?", _after(self.until))
        if self.open_due:
            add("f.due IS NOT NULL")
        if self.due_by is not None:
            add("f.due IS NOT NULL AND f.due < ?", _after(self.due_by))
        if self.unpaid:
            payments, bound = _payments(last_day)
            add(f"({LOCKED_PAYMENTS} OR json_extract(f.data, '$.totals.gross') - coalesce((SELECT "
                f"sum(value ->> '$.amount') FROM {payments}), 0) > 0.000001)", *bound)
        if self.mentions is not None:
            literal = _literal(self.mentions)
            add("f.data LIKE ? ESCAPE '\\'", f'%"{literal}"%')
        if self.holds is not None:
            add("EXISTS (SELECT 1 FROM json_each(f.data, ?) r WHERE r.value = ?)", _path(self.holds[0]), self.holds[1])
        if self.listing is not None:
            add("f.file_id IN (SELECT file_id FROM terms WHERE field = ? AND text = ?)",
                self.listing[0], words(self.listing[1]))
        if self.id_is is not None:
            add("upper(f.id) = ?", self.id_is.upper())
        if self.id_starts is not None:
            literal = _literal(self.id_starts.upper())
            add("upper(f.id) LIKE ? ESCAPE '\\'", literal + "%")
        if self.owned_by is not None:
            add("f.party IN (SELECT substr(o.path, 1, length(o.path) - 5) FROM files o "
                "WHERE o.kind IN ('customer', 'supplier') AND o.data ->> '$.owner' = ?)", self.owned_by)
        return " AND ".join(clauses), params


ORDER_RULES = ("deliveries", "payments")
"""The agenda rules of orders (store/index.py `order_rows`): wound back in a pinned run."""
PARTY_ROW = "LEFT JOIN agenda p ON p.rule = 'party' AND p.party = a.party"
"""The agenda row of the party a record is about (for its owner)."""


class Due(NamedTuple):
    """One row of the agenda (store/index.py `agenda_rows`): the record it is of, when it falls
    due (an ISO day, or a moment for a timed one), the party, the owner (the record's, else its
    party's), and what the rule says of it (a next step's action; an order's kind, status,
    balance and currency)."""

    ref: str
    day: str
    party: str | None
    owner: str | None
    what: str | None
    more: str | None
    amount: str | None
    currency: str | None


def _records(rows, last_day: str | None = None) -> list[Record]:
    """Records from index rows, as of `last_day` (the horizon) when given."""
    records = [Record(path[:-5], known_kind(path), loads(data)) for path, data in rows]
    if last_day is not None:
        for record in records:
            if record.kind.name == "order":
                record.data = as_of(record.data, last_day)
            elif record.kind.name in MOVED_FIELDS:
                record.data = moved_as_of(record.data, MOVED_FIELDS[record.kind.name], last_day)
    return records


class Questions:
    """What the use cases ask of one data directory's index (`repo.ask`)."""

    def __init__(self, repo):
        self.repo = repo
        self.horizon = horizon(repo.clock)

    def _run(self, sql: str, params=()) -> sqlite3.Cursor:
        return self.repo.index.db.execute(sql, list(params))

    def records(self, match: Match) -> list[Record]:
        sql, params = match.where(self.repo.clock)
        return _records(self._run(f"SELECT f.path, f.data FROM files f WHERE {sql}", params),
                        None if match.every_day else self.horizon)

    def each(self, match: Match, batch: int = BATCH) -> Iterator[Record]:
        """The records of the match in the order of their references, read from the index a
        batch at a time: what goes through every record (`crm check`) holds a batch of them,
        not all. SQLite sorts the (reference, file_id) pairs alone, not the records' data, and
        hands them over as they come: a list of every reference was 150 MB at 1,000,000."""
        sql, params = match.where(self.repo.clock)
        order = self._run(f"SELECT f.file_id FROM files f WHERE {sql} "
                          "ORDER BY substr(f.path, 1, length(f.path) - 5), f.file_id", params)
        while ids := [file_id for (file_id,) in order.fetchmany(batch)]:
            yield from self._by_ids(ids, None if match.every_day else self.horizon)

    def repeated_ids(self, match: Match) -> list[list[str]]:
        """The paths of the records of one kind filed under one id (in two folders: two months
        of interactions, or two clones' adds), each group in the order of their references.
        Only files named after the id they hold count; `crm check` reports the others apart."""
        sql, params = match.where(self.repo.clock)
        named = "substr(f.path, length(f.path) - length(f.id) - 5) = '/' || f.id || '.yaml'"
        rows = self._run(
            f"SELECT f.kind, f.id, f.path FROM files f WHERE {sql} AND {named} AND (f.kind, f.id) IN "
            f"(SELECT f.kind, f.id FROM files f WHERE {sql} AND {named} GROUP BY f.kind, f.id HAVING count(*) > 1) "
            "ORDER BY f.kind, f.id, substr(f.path, 1, length(f.path) - 5), f.file_id", [*params, *params])
        groups: dict[tuple[str, str], list[str]] = {}
        for kind, record_id, path in rows:
            groups.setdefault((kind, record_id), []).append(path)
        return list(groups.values())

    def _by_ids(self, ids: list[int], last_day: str | None) -> list[Record]:
        """The records of these files, in this order (at most a batch of them: one parameter each)."""
        rows = {file_id: (path, data) for file_id, path, data in self._run(
            f"SELECT file_id, path, data FROM files WHERE file_id IN ({_marks(ids)})", ids)}
        return _records([rows[file_id] for file_id in ids], last_day)

    def count(self, match: Match) -> int:
        sql, params = match.where(self.repo.clock)
        return self._run(f"SELECT count(*) FROM files f WHERE {sql}", params).fetchone()[0]

    def newest(self, match: Match, limit: int) -> list[Record]:
        """The `limit` records of the match with the latest days (their order is the caller's)."""
        sql, params = match.where(self.repo.clock)
        return _records(self._run(f"SELECT f.path, f.data FROM files f WHERE {sql} ORDER BY f.day DESC LIMIT ?",
                                  [*params, limit]), self.horizon)

    def ranked(self, match: Match, limit: int) -> tuple[list[tuple[Record, int]], int, list[str]]:
        """The best `limit` records for the match's query, each with its tier (0: exact id or
        name, 1: a name starts with the words, 2: the rest by full-text relevance, names
        weighing ten times the rest); how many matched; the query's free words."""
        assert match.query is not None
        compiled = match.query.compiled(self.repo.clock)
        phrases = compiled.phrases
        typed = fold(" ".join(compiled.words))
        if compiled.rest is not None:
            # Every free word must match: one MATCH of them all finds the hits and scores them,
            # and the narrow index `files_ranked` holds all the ranking reads of each hit, so
            # none of the (wide) records is read but the ones shown.
            sql, params = match.where(self.repo.clock, compiled, worded=True,
                                      dated_beyond=self.horizon is None or self.dated_after(self.horizon))
            hits = f"FROM fts JOIN files f INDEXED BY files_ranked ON f.file_id = fts.rowid WHERE fts MATCH ? AND {sql}"
            hits_params, score = [" AND ".join(phrases), *params], "bm25(fts, 10.0, 1.0)"
            # every hit of the MATCH is one when nothing else is asked: FTS5 counts them alone
            # (1 ms for 15,000 hits, where reading each one's row for the count took 7 ms)
            counted = ("FROM fts WHERE fts MATCH ?", hits_params[:1]) if sql == "1" else (hits, hits_params)
        else:
            sql, params = match.where(self.repo.clock, compiled)
            hits, hits_params, score = f"FROM files f WHERE {sql}", params, "NULL"
            counted = (hits, hits_params)
            if phrases:
                hits = ("FROM files f LEFT JOIN (SELECT rowid, bm25(fts, 10.0, 1.0) AS score FROM fts "
                        f"WHERE fts MATCH ?) r ON r.rowid = f.file_id WHERE {sql}")
                hits_params, score = [" OR ".join(phrases), *params], "r.score"
        named = [kind.name for kind in KINDS.values() if kind.title_field == "name"]
        # `typed` is folded, so ids are compared without case by SQLite itself (NOCASE, LIKE): a
        # lower() of every hit's id cost an eighth of a common word's search (15,000 hits)
        tier = (f"CASE WHEN f.title = ? OR f.id = ? COLLATE NOCASE THEN 0 WHEN f.kind IN ({_marks(named)}) "
                "AND (f.title LIKE ? OR f.id LIKE ?) THEN 1 ELSE 2 END") if typed else "2"
        contains = f"%{typed}%" if has_cjk(typed) else f"{typed}%"
        tier_params = [typed, typed, *named, contains, f"{typed}%"] if typed else []
        # SQLite keeps the best `limit` itself, so no hit goes to Python but the ones shown (the
        # file id last, so that equal hits keep one order); fewer than `limit` are all there is,
        # else they are counted apart: a count in the same pass (a window) made SQLite keep
        # every hit for it, not only the best.
        shown = self._run(
            f"SELECT file_id, tier FROM (SELECT f.file_id, {tier} AS tier, {score} AS score, "
            f"f.day {hits}) ORDER BY tier, score, day DESC, file_id LIMIT ?",
            [*tier_params, *hits_params, limit]).fetchall()
        total = len(shown) if len(shown) < limit else self._run(f"SELECT count(*) {counted[0]}",
                                                                 counted[1]).fetchone()[0]
        records = [record for start in range(0, len(shown), BATCH)
                   for record in self._by_ids([file_id for file_id, _tier in shown[start:start + BATCH]],
                                              self.horizon)]
        return ([(record, tier) for record, (_file_id, tier) in zip(records, shown, strict=True)],
                total, compiled.words)

    def dated_after(self, day: str) -> bool:
        """Whether any record of a dated kind lies after `day`: one look along the index of
        kinds and days, so that a question bounded by a horizon nothing lies beyond is asked
        without it."""
        dated = [kind for kind in KINDS if kind not in TIMELESS]
        return bool(self._run(f"SELECT EXISTS (SELECT 1 FROM files INDEXED BY files_kind_day WHERE kind IN "
                              f"({_marks(dated)}) AND day >= ?)", [*dated, _after(day)]).fetchone()[0])

    def planned_parties(self) -> set[str]:
        """Parties with an open next step or reminder."""
        bound, params = self._dated()
        return {party for (party,) in self._run(
            f"SELECT DISTINCT party FROM files INDEXED BY files_due WHERE due IS NOT NULL AND party IS NOT NULL{bound}",
            params)}

    def _dated(self, day: str = "day") -> tuple[str, list]:
        """The horizon as a condition to append to a WHERE clause over `files` of dated kinds
        (`day`: the column of the record's day)."""
        if self.horizon is None:
            return "", []
        return f" AND ({day} IS NULL OR {day} < ?)", [_after(self.horizon)]

    def external_keys(self, kind: str, source: str) -> dict[str, str]:
        """Key → reference of the records of `kind` that carry a key from `source` (an import's)."""
        return {str(key): path[:-5] for path, key in self._run(
            "SELECT f.path, e.value FROM files f, json_each(f.data, '$.external_ids') e "
            "WHERE f.kind = ? AND f.data IS NOT NULL AND e.key = ? AND e.value IS NOT NULL", [kind, source])}

    def emails(self, message_ids) -> dict[str, list[tuple[str, str, str]]]:
        """Message-ID → (interaction reference, party, thread) of each interaction logged from
        one of these emails (crm mail), asked in batches whatever the number of ids."""
        found: dict[str, list[tuple[str, str, str]]] = {}
        wanted = list(dict.fromkeys(message_ids))
        for start in range(0, len(wanted), 500):
            batch = wanted[start:start + 500]
            for path, message_id, party, thread in self._run(
                    "SELECT f.path, f.data ->> '$.message_id', f.party, f.data ->> '$.thread' FROM files f "
                    f"WHERE f.kind = 'interaction' AND f.data ->> '$.message_id' IN ({_marks(batch)})", batch):
                found.setdefault(message_id, []).append((path[:-5], party, thread or message_id))
        return found

    def parties_like(self, text: str, limit: int) -> list[tuple[str, str]]:
        """(id, name) of the parties whose id, name or pinyin starts with `text`, by id: for
        shell completion, from the index's names alone."""
        literal = _literal(fold(text))
        name_like = f"{literal}%"
        pinyin_like = literal.replace(" ", "") + "%"
        return self._run(
            "SELECT DISTINCT f.id, n.name FROM names n JOIN files f USING (file_id) WHERE n.role = 'name' "
            "AND f.kind IN ('customer', 'supplier') AND (lower(f.id) LIKE ? ESCAPE '\\' OR n.folded LIKE ? ESCAPE "
            "'\\' OR replace(coalesce(n.pinyin, ''), ' ', '') LIKE ? ESCAPE '\\') ORDER BY f.id LIMIT ?",
            [f"{literal}%", name_like, pinyin_like, limit]).fetchall()

    def name_keys(self, kind: str) -> list[tuple[str, str]]:
        """(reference, name key) of every party of `kind` (model.likeness `name_key`), by
        reference: what a new party's name is compared with."""
        return [(path[:-5], key) for path, key in self._run(
            "SELECT f.path, k.key FROM party_keys k JOIN files f USING (file_id) WHERE f.kind = ? AND k.what = 'name' "
            "ORDER BY f.path", (kind,))]

    def sharing_keys(self, kind: str, keys: list[tuple[str, str]]) -> set[str]:
        """References of the parties of `kind` holding any of `keys` ((what, key) pairs of
        model.likeness `duplicate_keys`)."""
        if not keys:
            return set()
        pairs = " OR ".join("(k.key = ? AND k.what = ?)" for _key in keys)
        return {path[:-5] for (path,) in self._run(
            f"SELECT DISTINCT f.path FROM party_keys k JOIN files f USING (file_id) WHERE f.kind = ? AND ({pairs})",
            [kind, *(value for what, key in keys for value in (key, what))])}

    def parties(self, refs) -> list[Record]:
        """The parties of these references that the index holds, by reference."""
        paths = sorted(f"{ref}.yaml" for ref in refs)
        return _records(self._run(f"SELECT f.path, f.data FROM files f WHERE f.data IS NOT NULL AND f.path IN "
                                  f"({_marks(paths)}) ORDER BY f.path", paths)) if paths else []

    def party_handles(self, kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(reference, field, value) of the emails, phones and tax id of the parties of `kinds`,
        their contacts' emails and phones too: what else than a name may name a party."""
        places = [("tax_id", "f.data ->> '$.tax_id'", "")]
        for name in ("emails", "phones"):
            places.append((name, "h.value", f", json_each(f.data, '$.{name}') h"))
            places.append((name, "h.value", f", json_each(f.data, '$.contacts') c, json_each(c.value, '$.{name}') h"))
        selects = [f"SELECT f.path, '{name}', {value} FROM files f{joins} WHERE f.kind IN ({_marks(kinds)}) "
                   f"AND f.data IS NOT NULL AND {value} IS NOT NULL" for name, value, joins in places]
        return [(path[:-5], name, str(value)) for path, name, value in self._run(
            " UNION ALL ".join(selects), [kind for _select in selects for kind in kinds])]

    def order_summaries(self, match: Match) -> list[dict]:
        """Orders with just what an order-level list needs, as text exactly as written (`->`
        keeps numbers' text): id, date, party, owner, region, type, currency, status,
        counts_toward_target, net, discount, tax, gross, payments (the amounts, space-separated)
        and lines (a JSON array of sku, description and quantity). Far faster than decoding
        whole orders."""
        payments, bound = _payments(self.horizon)
        status, status_params = _field("status", self.horizon)
        fields = {
            "id": "f.id", "date": "f.data ->> '$.date'", "party": "f.party", "owner": "f.data ->> '$.owner'",
            "region": "f.data ->> '$.region'", "type": "f.data ->> '$.type'", "currency": "f.data ->> '$.currency'",
            "status": status, "counts_toward_target": "f.data -> '$.counts_toward_target'",
            "net": "f.data -> '$.totals.net'", "discount": "f.data -> '$.totals.discount'",
            "tax": "f.data -> '$.totals.tax'", "gross": "f.data -> '$.totals.gross'",
            "payments": f"CASE WHEN {LOCKED_PAYMENTS} THEN '{LOCKED_MARK}' "
                        f"ELSE (SELECT group_concat(value -> '$.amount', ' ') FROM {payments}) END",
            "lines": "(SELECT json_group_array(json_object('sku', value ->> '$.sku', 'description', "
                     "value ->> '$.description', 'quantity', value -> '$.quantity')) "
                     "FROM json_each(f.data, '$.lines'))",
        }
        return self._fields(fields, match, select_params=[*status_params, *bound])

    # --- Order facts (store/index.py `order_facts`): sums of whole integers, no JSON decoded ---

    def order_sums(self, match: Match, first: str, second: str) -> list[tuple] | None:
        """Orders summed per currency and two keys (`ORDER_GROUP_KEYS`), a tuple per group (not a
        dict: a ledger by customer and month has 16,000 of them at 100,000 records): currency,
        first, second, how many orders, net, discount, tax, gross and paid in minor units of the
        currency (0 for none), locked (how many orders' paid is unknown: a protected payment
        this reader cannot open), quantity in millionths. The index keeps each order's amounts
        as integers of its minor unit, so SQLite adds integers (exact); None when an order's
        amounts are not whole minor units (a hand edit), for the caller to add the orders
        themselves."""
        if self._inexact_orders():
            return None
        where, params, join = self._facts_where(match)
        paid, paid_params = self._paid()
        keys = {name: _key_sql(key) for name, key in ORDER_GROUP_KEYS.items()}
        if "industry" in (first, second):
            join += " LEFT JOIN files p ON p.path = s.party || '.yaml'"
        added = ", ".join(f"coalesce(sum({column}), 0)" for column in (
            "s.net", "s.discount", "s.tax", "s.gross", paid, f"{paid} IS NULL", "s.quantity"))
        sql = (f"SELECT s.currency, {keys[first]}, {keys[second]}, count(*), {added} "
               f"FROM order_facts s{join} WHERE {where} GROUP BY 1, 2, 3")
        try:
            return self._run(sql, [*paid_params, *paid_params, *params]).fetchall()
        except sqlite3.OperationalError as error:
            if "overflow" not in str(error):
                raise
            raise InvalidValue(_("the amounts to add are too large to add exactly (over 10^16 in one group)")) \
                from error

    def order_lines(self, match: Match, keys: tuple[str, ...]) -> list[tuple] | None:
        """The lines of the matching orders, one row each: currency, the order (a number), product, sku,
        then quantity, listed (quantity × unit price), net and tax as exact decimal text, then
        the order's value of each of `keys` (`ORDER_GROUP_KEYS`), for the caller to add as
        Decimals (line amounts are not whole minor units). None as `order_sums`."""
        if self._inexact_orders():
            return None
        where, params, join = self._facts_where(match)
        if "industry" in keys:
            join += " LEFT JOIN files p ON p.path = s.party || '.yaml'"
        values = "".join(f", {_key_sql(ORDER_GROUP_KEYS[key])}" for key in keys)
        return self._run(
            "SELECT s.currency, s.file_id, l.product, l.sku, l.quantity, "
            f"l.listed, l.net, l.tax{values} FROM order_facts s JOIN order_lines l ON l.file_id = s.file_id{join} "
            f"WHERE {where}", params).fetchall()

    def balances(self, match: Match) -> list[dict] | None:
        """Orders on which something is owed or in credit: currency, party, pay_by (its
        payment_due, else its date), scale, owed (its gross once confirmed, as
        `model.orders.owed`) and paid, in minor units (paid None when unknown: a protected
        payment this reader cannot open). None when an order's amounts are not whole minor
        units, as `order_sums`."""
        if self._inexact_orders():
            return None
        where, params, join = self._facts_where(match)
        paid, paid_params = self._paid()
        status, status_params = self._status()
        sql = (f"SELECT * FROM (SELECT s.currency, s.party, s.payment_due, s.scale, CASE WHEN {status} IN "
               f"({_marks(OWING_STATES)}) THEN s.gross ELSE 0 END AS owed, {paid} AS paid FROM order_facts s{join} "
               f"WHERE {where}) WHERE paid IS NULL OR owed != paid")
        names = ("currency", "party", "pay_by", "scale", "owed", "paid")
        rows = self._run(sql, [*status_params, *OWING_STATES, *paid_params, *params])
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _inexact_orders(self) -> bool:
        return self._run("SELECT 1 FROM order_facts WHERE exact = 0 LIMIT 1").fetchone() is not None

    def _status(self) -> tuple[str, list]:
        """SQL for an order's status as of the horizon: the one written unless its history
        moved after the horizon (then read from the order, as `Match.one_of` does)."""
        if self.horizon is None:
            return "s.status", []
        moved, params = _field("status", self.horizon)
        return (f"(CASE WHEN s.moved_through > ? THEN (SELECT {moved} FROM files f WHERE f.file_id = s.file_id) "
                "ELSE s.status END)"), [self.horizon, *params]

    def _paid(self) -> tuple[str, list]:
        """SQL for what was paid on an order as of the horizon, in minor units; NULL when a
        payment that counts is unknown."""
        if self.horizon is None:
            return "s.paid", []
        return ("(CASE WHEN s.paid_through > ? THEN (SELECT CASE WHEN count(*) = count(p.amount) THEN "
                "coalesce(sum(p.amount), 0) END FROM order_payments p WHERE p.file_id = s.file_id AND p.day <= ?) "
                "ELSE s.paid END)"), [self.horizon, self.horizon]

    def _facts_where(self, match: Match) -> tuple[str, list, str]:
        """The WHERE clause over `order_facts s` for an order `match`, its parameters, and the
        join it needs: the order's kind, status, days and whether it counts toward targets
        are columns of the facts; the rest of the match (a query, a party…) is the match's
        own clause over its file, `files f`, then joined."""
        assert set(match.kinds) <= {"order"}, match.kinds
        clauses: list[str] = []
        params: list = []
        if self.horizon is not None and not match.every_day:
            clauses.append("(s.day IS NULL OR s.day < ?)")
            params.append(_after(self.horizon))
        one_of = dict(match.one_of)
        if "kind" in one_of:
            values = one_of.pop("kind")
            clauses.append(f"s.kind IN ({_marks(values)})")
            params += values
        if "status" in one_of and not match.every_day:
            values = one_of.pop("status")
            status, status_params = self._status()
            clauses.append(f"{status} IN ({_marks(values)})")
            params += [*status_params, *values]
        if match.since is not None:
            clauses.append("s.day >= ?")
            params.append(match.since[:10])
        if match.until is not None:
            clauses.append("s.day < ?")
            params.append(_after(match.until))
        if match.counted:
            clauses.append("s.counted = 1")
        query, compiled = match.query, None
        if query is not None:
            compiled = query.compiled(self.repo.clock)
            if compiled.sql == "1" and not compiled.params:
                # a blank query asks nothing of the file: an order has facts only if it could be
                # read (its data is not NULL), and their day is its file's, bounded above; no join
                query = compiled = None
        rest = match._replace(kinds=(), one_of=one_of, since=None, until=None, counted=False, query=query)
        if rest == Match(every_day=match.every_day):
            return " AND ".join(clauses) or "1", params, ""
        sql, rest_params = rest.where(self.repo.clock, compiled)
        return " AND ".join([*clauses, f"({sql})"]), [*params, *rest_params], " JOIN files f ON f.file_id = s.file_id"

    # --- The agenda's questions (crm today, crm remind due), from store/index.py `agenda_rows` ---

    def dues(self, rule: str, by: str) -> list[Due]:
        """What `rule` (`next_steps`, `deliveries`, `payments`) has falling due on or before
        the day `by`, from the index's agenda rows: SQL picks the few due, no record is
        decoded. In a run pinned to a day, an order that moved after it (a later payment or
        status) is read whole and wound back (`as_of`), its rows made again."""
        bound, params = self._dated("a.dated")
        sql = ("SELECT a.ref, a.day, a.party, coalesce(a.owner, p.owner), a.what, a.more, a.amount, a.currency "
               f"FROM agenda a {PARTY_ROW} WHERE a.rule = ? AND a.day < ?{bound}")
        params = [rule, _after(by), *params]
        moved: list[Due] = []
        if self.horizon is not None and rule in ORDER_RULES:
            sql += " AND (a.moved IS NULL OR a.moved <= ?)"
            params.append(self.horizon)
            moved = [due for due in self._wound_back(rule) if due.day < _after(by)]
        return [Due(*row) for row in self._run(sql, params)] + moved

    def _wound_back(self, rule: str) -> list[Due]:
        """The `rule` rows of the orders that moved after the horizon, made from the orders as
        they stood then."""
        bound, params = self._dated("a.dated")
        rows = self._run(f"SELECT f.path, f.data, p.owner FROM agenda a JOIN files f USING (file_id) {PARTY_ROW} "
                         f"WHERE a.rule = 'moved' AND a.day > ? AND f.data IS NOT NULL{bound}",
                         [self.horizon, *params]).fetchall()
        records = _records((row[:2] for row in rows), self.horizon)
        return [Due(record.ref, day, party, owner or party_owner, what, more, amount, currency)
                for record, (_path, _data, party_owner) in zip(records, rows, strict=True)
                for name, day, party, owner, what, more, amount, currency, _moved in order_rows(record.data)
                if name == rule]

    def undated_steps(self, until: str) -> list[Record]:
        """Interactions dated on or before `until` with an open next step that has no due day."""
        bound, params = self._dated("f.day")
        return _records(self._run(
            "SELECT f.path, f.data FROM files f INDEXED BY files_undated WHERE f.open_step = 1 AND f.due IS NULL "
            f"AND f.kind = 'interaction' AND f.data IS NOT NULL AND f.day < ?{bound}", [_after(until), *params]),
            self.horizon)

    def cadences(self) -> list[str]:
        """The follow-up cadences parties set (`follow_up_every`), each once."""
        return [every for (every,) in self._run(
            "SELECT DISTINCT what FROM agenda INDEXED BY agenda_party WHERE rule = 'party' AND what IS NOT NULL")]

    def follow_ups(self, today: date, default: str, since_by: Mapping[str, str]) -> list[
            tuple[str, str, str | None, str | None, str | None, str | None, str | None]]:
        """(reference, kind, lifecycle, cadence, created, owner, last contact) of the parties
        whose cadence (`default` when unset) is not in `since_by` (cadence → a day), or whose
        last contact, else their creation, is on or before that day. Their latest contact is
        their latest interaction on or before `today` (a view as of a day knows nothing later):
        the index's `contacts` unless that is later, then looked up in the index of
        interactions by party and day."""
        cases = " ".join("WHEN ? THEN ?" for _cadence in since_by)
        return [(ref, BY_FOLDER[ref.split("/", 1)[0]].name, *rest) for ref, *rest in self._run(
            "SELECT * FROM (SELECT a.party, a.more, a.what, a.day, a.owner, CASE "
            "WHEN substr(c.last, 1, 10) <= ? THEN c.last WHEN c.last IS NOT NULL THEN (SELECT max(day) "
            "FROM files INDEXED BY files_contact WHERE kind = 'interaction' AND party = a.party "
            "AND substr(day, 1, 10) <= ?) END AS last FROM agenda a INDEXED BY agenda_party "
            "LEFT JOIN contacts c ON c.party = a.party WHERE a.rule = 'party') "
            f"WHERE coalesce(nullif(last, ''), day) IS NULL OR substr(coalesce(nullif(last, ''), day), 1, 10) <= "
            f"CASE coalesce(nullif(what, ''), ?) {cases} ELSE '9999-12-31' END",
            [today.isoformat(), today.isoformat(), default, *[v for item in since_by.items() for v in item]])]

    def party_owners(self) -> dict[str, str]:
        """Reference → owner of every party that has one."""
        return dict(self._run("SELECT party, owner FROM agenda WHERE rule = 'party' AND owner IS NOT NULL"))

    def birthdays(self, first: date, last: date) -> list[tuple[str, str, str, str | None]]:
        """(party reference, contact name, birthday, party owner) of the contacts with a
        birthday that may fall from `first` to `last` (its month and day in that span, or
        29 February, kept on the 28th in common years; every one for a span of a year), in
        the order of each party's contacts."""
        sql, params = "SELECT party, what, day, owner FROM agenda WHERE rule = 'birthdays'", []
        if (last - first).days < 365:
            params = [f"{first:%m-%d}", f"{last:%m-%d}"]
            inside = "BETWEEN ? AND ?" if params[0] <= params[1] else ">= ? OR substr(day, -5) <= ?"  # a new year
            sql += f" AND (substr(day, -5) {inside} OR substr(day, -5) = '02-29')"
        return self._run(sql + " ORDER BY rowid", params).fetchall()

    def _fields(self, fields: dict[str, str], match: Match, join: str = "", group_by: str = "",
                select_params: list | None = None) -> list[dict]:
        """`fields` (name → SQL, whose own parameters are `select_params`) of the matching orders."""
        sql, params = match.where(self.repo.clock)
        params = [*(select_params or []), *params]
        names = list(fields)
        grouping = f" GROUP BY {group_by}" if group_by else ""
        rows = self._run(f"SELECT {', '.join(fields[n] for n in names)} FROM files f {join} WHERE {sql}{grouping}",
                         params)
        return [dict(zip(names, row, strict=True)) for row in rows]


PERIOD_SQL = {
    "month": "substr(s.date, 1, 7)",
    "quarter": "substr(s.date, 1, 4) || '-Q' || ((CAST(substr(s.date, 6, 2) AS INTEGER) + 2) / 3)",
    "year": "substr(s.date, 1, 4)",
}


def _key_sql(key: GroupKey) -> str:
    """SQL over `order_facts s` (and its party `p`) for a `GroupKey` (its field names are ours,
    never a user's): the party as its ref."""
    if key.source == "date":
        return PERIOD_SQL[key.field]
    if key.source == "party":
        return "s.party"
    if key.source == "order":
        return f"coalesce(s.{key.field}, '{key.default}')"
    return f"coalesce(p.data ->> '$.{key.field}', '{key.default}')"
