"""Writing a result to a file chosen by its extension: .csv, .json, .md or .xlsx."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.model.views import Fields

EXTENSIONS = (".csv", ".json", ".md", ".xlsx")


def _xlsx(result, path: Path) -> None:
    """One sheet per table, headers bold, money as numbers with two decimals (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from crmcli.render import _tables

    book = Workbook()
    book.remove(book.active)
    for number, part in enumerate(_tables(result), 1):
        title = "".join(c for c in (part.title or f"Sheet {number}") if c not in "[]:*?/\\")[:31] or f"Sheet {number}"
        sheet = book.create_sheet(title if title not in book.sheetnames else f"{title[:28]} {number}")
        if isinstance(part, Fields):
            rows = [["field", "value"]] + [[label, _cell(value)] for label, value in part.items]
            money = set()
        else:
            rows = [[c.header for c in part.columns]] + [[_cell(row.get(c.key)) for c in part.columns] for row in part.rows]
            money = {index for index, column in enumerate(part.columns, 1) if column.style == "money"}
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # text that starts with "=" is text here, never a formula
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in money:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = "#,##0.00"
    book.save(path)


def _cell(value):
    from crmcli.render import cell_text, visible

    if isinstance(value, str):
        return visible(value)  # control characters are not allowed in a workbook, and not wanted
    if isinstance(value, (int, Decimal)) or value is None:
        return value
    return cell_text(value)


def write_file(result, path: Path) -> None:
    """Write `result` to `path` in the format its extension names."""
    from crmcli.render import render

    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise InvalidValue(f"--output {path.name}: use a file ending in {', '.join(EXTENSIONS)}")
    try:
        if suffix == ".xlsx":
            _xlsx(result, path)
            return
        buffer = io.StringIO()
        render(result, {".csv": "csv", ".json": "json", ".md": "markdown"}[suffix], buffer)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as error:
        raise InvalidValue(f"{path}: cannot write: {error.strerror}")
