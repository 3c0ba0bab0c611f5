"""`crm import csv|xlsx`: a file (and for orders maybe a lines file) read with a mapping,
planned and written by the importer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.io import handlers
from crmcli.io.importer import Outcome, grouped_rows, joined_rows, mapped_rows, run_import
from crmcli.io.mapping import Target, identity, parse_mapping
from crmcli.io.sources import Sheet, open_csv, open_xlsx
from crmcli.io.values import check_source
from crmcli.model.kinds import KINDS

IMPORT_KINDS = ("customer", "supplier", "contact", "interaction", "product", "order", "purchase")
TARGETS = {
    "customer": Target("party"), "supplier": Target("party"),
    "contact": Target("party", "contacts[0].", extra=("party",)),
    "interaction": Target("interaction"), "product": Target("product"),
    "order": Target("order"), "purchase": Target("order"),
}
LINES = Target("order", "lines[0].")


@dataclass
class Reading:
    """How to read the files: CSV options, or the XLSX sheet."""

    xlsx: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    header: bool | None = None
    sheet: str | None = None

    def open(self, path: Path) -> Sheet:
        if not path.is_file():
            raise InvalidValue(f"{path}: no such file")
        if self.xlsx:
            return open_xlsx(path, sheet=self.sheet, header=self.header)
        return open_csv(path, encoding=self.encoding, delimiter=self.delimiter, header=self.header)


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
        raise InvalidValue(f"--kind {kind_name!r}: use one of {', '.join(IMPORT_KINDS)}")
    is_order = kind_name in ("order", "purchase")
    if (lines or join or group_by) and not is_order:
        raise InvalidValue("--lines, --join and --group-by are for orders and purchases")
    sheet = reading.open(path)
    if mapping_text:
        mapping = parse_mapping(mapping_text, TARGETS[kind_name], LINES if is_order else None)
    elif is_order:
        raise InvalidValue("orders need a mapping (--map) that says which columns are lines")
    else:
        mapping = identity(sheet.columns, TARGETS[kind_name], sheet.name)
    mapping.source = check_source(source) or mapping.source
    mapping.key = key or mapping.key
    if mapping.key and not mapping.source:
        raise InvalidValue(f"a key column ({mapping.key}) needs the name of its system: --source or source: in the mapping")
    mapping.check(sheet, mapping.rules + ([mapping.key] if mapping.key else []))
    if lines:
        lines_sheet = reading.open(lines)
        header_key, _, lines_key = (join or mapping.key or "").partition("=")
        if not header_key:
            raise InvalidValue("--lines needs --join COLUMN (the column both files share)")
        mapping.check(sheet, [header_key])
        mapping.check(lines_sheet, mapping.lines + [lines_key or header_key])
        items = joined_rows(sheet, lines_sheet, mapping, repo.clock, header_key, lines_key or header_key)
    else:
        mapping.check(sheet, mapping.lines + ([group_by] if group_by else []))
        if group_by:
            items = grouped_rows(sheet, mapping, repo.clock, group_by)
        else:
            items = mapped_rows(sheet, mapping, repo.clock, lines=is_order)
    handler = _handler(repo, kind_name, mapping, on_duplicate, path.name)
    outcome = Outcome(path.name, kind_name, dry_run, sheet.encoding)
    return run_import(repo, handler, items, outcome, skip_invalid=skip_invalid, advance=_advancer(progress, sheet))


def _advancer(progress, sheet: Sheet):
    """A function that moves the progress bar as far as the reader has got in the file."""
    if progress is None:
        return lambda: None
    last = [0]

    def advance() -> None:
        done = sheet.done()
        progress(done - last[0], sheet.size)
        last[0] = done

    return advance
