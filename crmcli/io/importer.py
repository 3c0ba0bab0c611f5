"""Importing rows as records, all or nothing: each row is planned (create, update,
unchanged, duplicate or rejected) and staged in one transaction, which lands only if
no row was rejected (or `--skip-invalid` lets the good ones in). `--dry-run` plans
without a transaction.

Rows stream from the file; only what later rows may touch again (the parties and
products of this import, the source keys seen) stays in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from crmcli.errors import CrmError, DataDirError, InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.views import Column, Document, Fields, Table

SHOWN = 10
STATUSES = ("create", "update", "unchanged", "duplicate")


@dataclass
class Item:
    """One thing to import: a row (or an order with its lines), mapped to field values."""

    where: str
    values: dict[str, object]
    key: str | None = None
    lines: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Rejection:
    where: str
    reason: str


@dataclass
class Outcome:
    name: str
    kind: str
    dry_run: bool
    encoding: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES + ("rejected",), 0))
    rejected: list[Rejection] = field(default_factory=list)
    duplicates: list[Rejection] = field(default_factory=list)
    matches: list[dict[str, str]] = field(default_factory=list)
    """Each row's party (dry runs): the row, the text naming it, its reference, how it was found."""

    def view(self) -> Document:
        """The summary: how many rows go where, and the first rejected and duplicate rows."""
        verbs = (N_("to create"), N_("to update")) if self.dry_run else (N_("created"), N_("updated"))
        labels = dict(zip(STATUSES + ("rejected",), verbs + (N_("unchanged"), N_("duplicates skipped"), N_("rejected")),
                          strict=True))
        facts = [(N_("file"), self.name), (N_("kind"), self.kind)] + (
            [(N_("encoding"), self.encoding)] if self.encoding else [])
        title = (_("Import of {file} (dry run: nothing written)") if self.dry_run else _("Import of {file}"))
        parts: list = [Fields(facts + [(labels[key], count) for key, count in self.counts.items()],
                              title=title.format(file=self.name))]
        columns = [Column("where", "row"), Column("reason", "reason")]
        for title, rows in ((N_("First rejected rows"), self.rejected),
                            (N_("First duplicates skipped"), self.duplicates)):
            if rows:
                parts.append(Table(columns, [{"where": r.where, "reason": r.reason} for r in rows], title=title))
        if self.matches:
            parts.append(Table([Column("where", "row"), Column("named", "named"), Column("party", "party"),
                                Column("by", "found by")], self.matches, title=N_("Parties the rows name")))
        payload = {"file": self.name, "kind": self.kind, "dry_run": self.dry_run, "encoding": self.encoding,
                   **{key.replace(" ", "_"): count for key, count in self.counts.items()},
                   "rejected_rows": [vars(r) for r in self.rejected],
                   "duplicate_rows": [vars(r) for r in self.duplicates], "matches": self.matches}
        return Document(parts, payload=payload)


class Refused(InvalidValue):
    """An import that wrote nothing because a row was rejected."""


def run_import(repo, make_handler, make_items, outcome: Outcome, *, skip_invalid: bool = False,
               advance=lambda: None) -> Outcome:
    """Plan every item and, unless this is a dry run, write them in one transaction.
    Without `skip_invalid` a first pass only plans, so a file rejected at its last row
    has written nothing at all, not even temporary files; the second pass writes.
    `make_handler` and `make_items` give a fresh handler and a fresh read of the file."""
    if outcome.dry_run:
        _plan(make_handler(), make_items(), outcome, None, True, advance)
        return outcome
    if not skip_invalid:
        _plan(make_handler(), make_items(), Outcome(outcome.name, outcome.kind, True), None, False, advance)
    with repo.writing(f"import: {outcome.kind} from {outcome.name}", bulk=True) as tx:
        handler = make_handler()
        _plan(handler, make_items(), outcome, tx, skip_invalid, advance)
        handler.flush(tx)
    return outcome


def _plan(handler, items, outcome: Outcome, tx, go_on: bool, advance) -> None:
    seen: set[str] = set()
    for item in items:
        advance()
        key = item.key if isinstance(item, Item) else None
        if key is not None:
            if key in seen:
                item = Rejection(item.where, _("the key {key!r} came before in this file").format(key=key))
            else:
                seen.add(key)
        if isinstance(item, Item):
            handler.refs.last = None
            try:
                status, note = handler.take(item, tx)
            except DataDirError:
                raise
            except CrmError as error:
                item = Rejection(item.where, str(error))
            else:
                named = handler.refs.last
                if named is not None and outcome.dry_run:
                    outcome.matches.append(dict(zip(("where", "named", "party", "by"), (item.where, *named),
                                                    strict=True)))
                outcome.counts[status] += 1
                if status == "duplicate" and len(outcome.duplicates) < SHOWN:
                    outcome.duplicates.append(Rejection(item.where, note))
                continue
        outcome.counts["rejected"] += 1
        if len(outcome.rejected) < SHOWN:
            outcome.rejected.append(item)
        if not go_on:
            raise Refused(_("{reason} (nothing imported; --dry-run lists the rejected rows, --skip-invalid imports "
                            "the others)").format(reason=item.reason), where=f"{outcome.name}: {item.where}")


def mapped_rows(sheet, mapping, clock, *, lines: bool = False) -> Iterator[Item | Rejection]:
    """One item per row; with `lines`, the row is also the order's one line."""
    for number, cells in sheet.rows():
        where = _("row {number}").format(number=number)
        if isinstance(cells, InvalidValue):
            yield Rejection(where, cells.message)
            continue
        try:
            item = _item(mapping, mapping.cells(cells), clock, where)
            if lines:
                item.lines.append(mapping.apply(mapping.cells(cells), clock, mapping.lines))
        except InvalidValue as error:
            yield Rejection(where, str(error))
            continue
        yield item


def _item(mapping, clean: dict[str, str], clock, where: str) -> Item:
    key = clean.get(mapping.key) if mapping.key else None
    if mapping.key and not key:
        raise InvalidValue(_("no key in column {column!r}").format(column=mapping.key))
    return Item(where, mapping.apply(clean, clock), key)


def grouped_rows(sheet, mapping, clock, column: str) -> Iterator[Item | Rejection]:
    """Orders from one file: the rows that share a value of `column`, one after another,
    are one order (its fields from the first row, a line from each)."""
    current: Item | None = None
    group, done = None, set()
    for number, cells in sheet.rows():
        where = _("row {number}").format(number=number)
        try:
            if isinstance(cells, InvalidValue):
                raise cells
            clean = mapping.cells(cells)
            value = clean.get(column, "")
            if value != group:
                if current is not None:
                    yield current
                current, group = None, value
                if value in done:
                    raise InvalidValue(_("{column} {value!r} comes again after other rows (its rows must be together)")
                                       .format(column=column, value=value))
                done.add(value)
                current = _item(mapping, clean, clock, where)
            if current is not None:
                current.lines.append(mapping.apply(clean, clock, mapping.lines))
        except InvalidValue as error:
            current = None
            yield Rejection(where, str(error))
    if current is not None:
        yield current


def joined_rows(sheet, lines_sheet, mapping, clock, column: str, lines_column: str) -> Iterator[Item | Rejection]:
    """Orders from a header file and a lines file that share a key column. The lines are read
    first and held by key until their order comes."""
    lines: dict[str, tuple[str, list]] = {}
    problems: dict[str, tuple[str, str]] = {}
    for number, cells in lines_sheet.rows():
        where = _("{file}: row {number}").format(file=lines_sheet.name, number=number)
        if isinstance(cells, InvalidValue):
            problems.setdefault("", (where, cells.message))
            continue
        clean = mapping.cells(cells)
        key = clean.get(lines_column, "")
        try:
            lines.setdefault(key, (where, []))[1].append(mapping.apply(clean, clock, mapping.lines))
        except InvalidValue as error:
            problems.setdefault(key, (where, error.message))
    if "" in problems:
        yield Rejection(*problems.pop(""))
    for number, cells in sheet.rows():
        where, key = _("row {number}").format(number=number), None
        try:
            if isinstance(cells, InvalidValue):
                raise cells
            clean = mapping.cells(cells)
            key = clean.get(column, "")
            item = _item(mapping, clean, clock, where)
            if key in problems:
                place, message = problems.pop(key)
                raise InvalidValue(message, where=place)
            if key not in lines:
                raise InvalidValue(_("no lines for {column} {key!r} in {file}").format(column=column, key=key,
                                                                                      file=lines_sheet.name))
            item.lines = lines.pop(key)[1]
        except InvalidValue as error:
            lines.pop(key, None)
            yield Rejection(where, str(error))
            continue
        yield item
    for key, (where, _rest) in lines.items():
        yield Rejection(where, _("a line for {column} {key!r}, which {file} does not have").format(
            column=column, key=key, file=sheet.name))
