"""`crm import csv|xlsx`: a file (and for orders maybe a lines file) read with a mapping,
planned and written by the importer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io import handlers
from crmcli.io.importer import Outcome, grouped_rows, joined_rows, mapped_rows, run_import
from crmcli.io.mapping import Target, identity, parse_mapping
from crmcli.io.numbers import Numbers, check_locale
from crmcli.io.sources import Sheet, open_csv, open_xlsx
from crmcli.io.values import check_source
from crmcli.model import fieldnames
from crmcli.model.kinds import KINDS

IMPORT_KINDS = ("customer", "supplier", "contact", "interaction", "product", "order", "purchase")
TARGETS = {
    "customer": Target("party", names=fieldnames.PARTY), "supplier": Target("party", names=fieldnames.PARTY),
    "contact": Target("party", "contacts[0].", extra=("party",), names=fieldnames.CONTACT),
    "interaction": Target("interaction", names=fieldnames.INTERACTION),
    "product": Target("product", names=fieldnames.PRODUCT),
    "order": Target("order", names=fieldnames.ORDER), "purchase": Target("order", names=fieldnames.ORDER),
}
LINES = Target("order", "lines[0].", names={path.removeprefix("lines."): names for path, names in
                                            fieldnames.ORDER.items() if path.startswith("lines.")})


@dataclass
class Reading:
    """How to read the files: CSV options, or the XLSX sheet."""

    xlsx: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    sheet: str | None = None
    header_row: int | None = None
    locale: str | None = None
    """How the CSV file writes numbers (`de_DE`: 1.250,50); default: what each column shows."""

    def open(self, path: Path, header: bool | None = None) -> Sheet:
        """The file's rows; `header` repeats a decision an earlier read settled on."""
        if not path.is_file():
            raise InvalidValue(_("no such file"), where=str(path))
        header = self.header if header is None else header
        if self.xlsx:
            return open_xlsx(path, sheet=self.sheet, header=header, header_row=self.header_row)
        return open_csv(path, encoding=self.encoding, delimiter=self.delimiter, header=header)


def _handler(repo, kind_name: str, mapping, on_duplicate: str, origin: str):
    common = (mapping.source, origin)
    if kind_name in ("customer", "supplier"):
        return handlers.Parties(repo, KINDS[kind_name], *common, on_duplicate=on_duplicate)
    if kind_name in ("order", "purchase"):
        return handlers.Orders(repo, "sale" if kind_name == "order" else "purchase", *common)
    return {"contact": handlers.Contacts, "interaction": handlers.Interactions,
            "product": handlers.Products}[kind_name](repo, *common)


def import_table(repo, path: Path, kind_name: str, reading: Reading, *, mapping_text: str | None = None,
                 source: str | None = None, key: str | None = None, lines: Path | None = None,
                 join: str | None = None, group_by: str | None = None, dry_run: bool = False,
                 on_duplicate: str = "skip", skip_invalid: bool = False, progress=None) -> Outcome:
    """Import the rows of `path` as records of `kind_name`; see the importer for the rules."""
    if kind_name not in IMPORT_KINDS:
        raise InvalidValue(_("--kind {kind!r}: use one of {kinds}").format(kind=kind_name,
                                                                         kinds=", ".join(IMPORT_KINDS)))
    is_order = kind_name in ("order", "purchase")
    if (lines or join or group_by) and not is_order:
        raise InvalidValue(_("--lines, --join and --group-by are for orders and purchases"))
    sheet = reading.open(path)
    if mapping_text:
        mapping = parse_mapping(mapping_text, TARGETS[kind_name], LINES if is_order else None)
    else:
        sheet.settle({cell.strip() for cell in sheet.first})
        mapping = identity(sheet.columns, TARGETS[kind_name], sheet.name, LINES if is_order else None)
    mapping.source = check_source(source) or mapping.source
    mapping.key = key or mapping.key
    if mapping.key and not mapping.source:
        raise InvalidValue(_("a key column ({column}) needs the name of its system: --source or source: in the mapping")
                           .format(column=mapping.key))
    header_key, _equals, lines_key = (join or mapping.key or "").partition("=")
    lines_key = lines_key or header_key
    needs = mapping.rules + [column for column in (mapping.key, group_by) if column]
    lines_header = None
    if lines:
        if not header_key:
            raise InvalidValue(_("--lines needs --join COLUMN (the column both files share)"))
        lines_sheet = reading.open(lines)
        sheet.settle(mapping.columns(needs) | {header_key})
        lines_sheet.settle(mapping.columns(mapping.lines) | {lines_key})
        mapping.check(sheet, needs + [header_key])
        mapping.check(lines_sheet, mapping.lines + [lines_key])
        lines_header = lines_sheet.header
    else:
        sheet.settle(mapping.columns(needs + mapping.lines))
        mapping.check(sheet, needs + mapping.lines)
    if not reading.xlsx:
        numbers = Numbers(check_locale(reading.locale))
        _sniff(numbers, reading, path, sheet.header, mapping.numeric_columns(mapping.rules if lines else
                                                                            mapping.rules + mapping.lines))
        if lines:
            _sniff(numbers, reading, lines, lines_header, mapping.numeric_columns(mapping.lines))
        mapping.read_numbers(numbers)
    reads = Reads(reading, path, sheet.header, progress, 1 if dry_run or skip_invalid else 2)

    def items():
        current = reads.open()
        if lines:
            return joined_rows(current, reading.open(lines, lines_header), mapping, repo.clock, header_key, lines_key)
        if group_by:
            return grouped_rows(current, mapping, repo.clock, group_by)
        return mapped_rows(current, mapping, repo.clock, lines=is_order)

    outcome = Outcome(path.name, kind_name, dry_run, sheet.encoding)
    return run_import(repo, lambda: _handler(repo, kind_name, mapping, on_duplicate, path.name), items, outcome,
                      skip_invalid=skip_invalid, advance=reads.advance)


def _sniff(numbers: Numbers, reading: Reading, path: Path, header: bool | None, columns: set[str]) -> None:
    """Let the first rows of a file show how its number columns write decimals."""
    if columns and not numbers.locale:
        sheet = reading.open(path, header)
        rows = sheet.rows()
        try:
            numbers.sniff(rows, columns, path.name)
        finally:
            rows.close()
            sheet.rest.close()


class Reads:
    """The reads of one file, one per pass, and a progress bar over all of them."""

    def __init__(self, reading: Reading, path: Path, header: bool, progress, passes: int):
        self.reading, self.path, self.header = reading, path, header
        self.progress = progress
        self.passes = passes
        self.sheet: Sheet | None = None
        self.before = 0
        self.shown = 0

    def open(self) -> Sheet:
        if self.sheet is not None:
            self.before += self.sheet.size
        self.sheet = self.reading.open(self.path, self.header)
        return self.sheet

    def advance(self) -> None:
        if self.progress is not None and self.sheet is not None:
            done = self.before + self.sheet.done()
            self.progress(done - self.shown, self.sheet.size * self.passes)
            self.shown = done
