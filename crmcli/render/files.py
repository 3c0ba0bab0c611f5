"""Writing a result to a file chosen by its extension: .csv, .json, .md or .xlsx."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.views import Fields

EXTENSIONS = (".csv", ".json", ".md", ".xlsx")
FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".xlsx": "xlsx"}


def _xlsx(result, path: Path, raw: bool = False) -> None:
    """One sheet per table, headers bold, money as numbers with two decimals. openpyxl's
    write-only mode streams rows to the file, so a large export does not sit in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from crmcli.render import _tables
    from crmcli.render.guard import risky

    def cell(sheet, value, money: bool = False, font=None):
        """Text that a spreadsheet would run as a formula stays text (unless `raw`)."""
        written = WriteOnlyCell(sheet, value=_cell(value))
        if not raw and isinstance(written.value, str) and risky(value, written.value):
            written.data_type = "s"
        if font is not None:
            written.font = font
        if money:
            written.number_format = "#,##0.00"
        return written

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for number, part in enumerate(_tables(result), 1):
        title = "".join(c for c in (part.title or f"Sheet {number}") if c not in "[]:*?/\\")[:31] or f"Sheet {number}"
        sheet = book.create_sheet(title if title not in book.sheetnames else f"{title[:28]} {number}")
        rows: Iterable[list]
        if isinstance(part, Fields):
            headers, rows, money = ["field", "value"], [[label, value] for label, value in part.items], set()
        else:
            headers = [c.header for c in part.columns]
            rows = ([row.get(c.key) for c in part.columns] for row in part.rows)
            money = {index for index, column in enumerate(part.columns) if column.style == "money"}
        sheet.append([cell(sheet, header, font=bold) for header in headers])
        for row in rows:
            sheet.append([cell(sheet, value, position in money) for position, value in enumerate(row)])
    book.save(path)


def _cell(value):
    """A cell as openpyxl takes it: numbers stay numbers, lists are joined as in CSV (`; `),
    control characters (which a workbook cannot hold, and which are not wanted) shown as escapes."""
    from crmcli.render import _csv_value, cell_text, visible

    if isinstance(value, str):
        return visible(value)
    if isinstance(value, (int, Decimal)) or value is None:
        return value
    return _csv_value(value) if isinstance(value, (list, tuple)) else cell_text(value)


def write_file(result, path: Path, fmt: str | None = None, raw: bool = False) -> None:
    """Write `result` to `path` in `fmt` (data, as exports write it), or in the format its
    extension names (a report: an .xlsx is then in the interface's language, as on screen)."""
    from crmcli.render import localized, render

    report = fmt is None
    if fmt is None:
        suffix = path.suffix.lower()
        if suffix not in EXTENSIONS:
            raise InvalidValue(_("--output {name}: use a file ending in {extensions}").format(name=path.name,
                                                                                  extensions=", ".join(EXTENSIONS)))
        fmt = FORMATS[suffix]
    try:
        if fmt == "xlsx":
            _xlsx(localized(result) if report else result, path, raw)
            return
        buffer = io.StringIO()
        render(result, fmt, buffer, raw)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as error:
        raise InvalidValue(_("{path}: cannot write: {reason}").format(path=path, reason=error.strerror)) from error
