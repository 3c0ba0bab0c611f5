"""Spreadsheet formula injection: a CSV cell that starts with = + - @, a tab or a carriage
return is run as a formula by Excel and LibreOffice (OWASP "CSV Injection"). Every CSV
and XLSX writer asks here, so a text cell is written with a leading `'` (CSV) or as
plain text, never a formula (XLSX), unless the person asked for `--raw`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def risky(value, text: str) -> bool:
    """Whether a cell showing `text` for `value` could be taken for a formula; numbers and
    dates are written by us and never are."""
    return not isinstance(value, (int, float, Decimal, date)) and text.startswith(TRIGGERS)


def csv_cell(value, text: str, raw: bool = False) -> str:
    return "'" + text if not raw and risky(value, text) else text
