"""Writing a result to a file chosen by its extension: .csv, .json, .md or .xlsx."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.money import MINOR_UNITS
from crmcli.model.views import Fields
from crmcli.render import _csv_value, _tables, cell_text, localized, render, visible
from crmcli.render.guard import risky
from crmcli.store.fs import write_output

EXTENSIONS = (".csv", ".json", ".md", ".xlsx")
FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".xlsx": "xlsx"}


DATE_FORMAT, MOMENT_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"


def _money_format(currency) -> str:
    """Thousands separators and the currency's minor units: JPY 1,000, CNY 1,000.00."""
    places = MINOR_UNITS.get(str(currency or ""), 2)
    return "#,##0" + ("." + "0" * places if places else "")


def _typed(value, kind: str | None, currency):
    """(value, number format) of a cell a spreadsheet should read as a date, a moment or an
    amount: Excel has no zones, so a moment is its wall time where it was recorded. A value
    that does not parse as its type is written as it is."""
    if isinstance(value, datetime) or (kind == "moment" and isinstance(value, str)):
        try:
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        except ValueError:
            return value, None
        return moment.replace(tzinfo=None), MOMENT_FORMAT
    if isinstance(value, date) or (kind == "date" and isinstance(value, str)):
        try:
            return (value if isinstance(value, date) else date.fromisoformat(value)), DATE_FORMAT
        except ValueError:
            return value, None
    if kind == "money" and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value)), _money_format(currency)
    return value, None


def _xlsx(result, handle: BinaryIO, raw: bool = False) -> None:
    """One sheet per table, headers bold, dates and moments as Excel dates, money as numbers
    with the currency's minor units. openpyxl's write-only mode streams rows to the file, so a
    large export does not sit in memory."""
    # lazy: openpyxl loads in 125 ms (python -X importtime); only .xlsx files need it
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    def cell(sheet, value, kind: str | None = None, currency=None, font=None):
        """Text that a spreadsheet would run as a formula stays text (unless `raw`)."""
        value, number_format = _typed(value, kind, currency)
        written = WriteOnlyCell(sheet, value=value if number_format else _cell(value))
        if not raw and isinstance(written.value, str) and risky(value, written.value):
            written.data_type = "s"
        if font is not None:
            written.font = font
        if number_format:
            written.number_format = number_format
        return written

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for number, part in enumerate(_tables(result), 1):
        title = "".join(c for c in (part.title or f"Sheet {number}") if c not in "[]:*?/\\")[:31] or f"Sheet {number}"
        sheet = book.create_sheet(title if title not in book.sheetnames else f"{title[:28]} {number}")
        if isinstance(part, Fields):
            sheet.append([cell(sheet, header, font=bold) for header in ("field", "value")])
            for label, value in part.items:
                sheet.append([cell(sheet, label), cell(sheet, value)])
            continue
        kinds = ["money" if column.style == "money" else column.cell for column in part.columns]
        sheet.append([cell(sheet, column.header, font=bold) for column in part.columns])
        for row in part.rows:
            sheet.append([cell(sheet, row.get(column.key), kind, row.get("currency"))
                          for column, kind in zip(part.columns, kinds, strict=True)])
    book.save(handle)


def _cell(value):
    """A cell as openpyxl takes it: numbers stay numbers, lists are joined as in CSV (`; `),
    control characters (which a workbook cannot hold, and which are not wanted) shown as escapes."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, (int, Decimal)) or value is None:
        return value
    return _csv_value(value) if isinstance(value, (list, tuple)) else cell_text(value)


def write_file(result, path: Path, fmt: str | None = None, raw: bool = False, encoding: str = "utf-8") -> None:
    """Write `result` to `path` in `fmt` (data, as exports write it), or in the format its
    extension names (a report: an .xlsx is then in the interface's language, as on screen);
    text in `encoding` (`utf-8-sig` puts the byte order mark Excel looks for first)."""
    report = fmt is None
    if fmt is None:
        suffix = path.suffix.lower()
        if suffix not in EXTENSIONS:
            raise InvalidValue(_("--output {name}: use a file ending in {extensions}").format(name=path.name,
                                                                                  extensions=", ".join(EXTENSIONS)))
        fmt = FORMATS[suffix]
    if fmt == "xlsx":
        book = localized(result) if report else result
        write_output(path, lambda handle: _xlsx(book, handle, raw))
        return
    buffer = io.StringIO()
    render(result, fmt, buffer, raw)
    write_output(path, buffer.getvalue().encode(encoding))
