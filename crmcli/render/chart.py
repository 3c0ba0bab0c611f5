"""A terminal bar chart of a report's main series, drawn with block characters."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from crmcli.model.money import amount_text
from crmcli.model.views import Document, Table
from crmcli.render import cell_text, visible
from crmcli.render.layout import width as shown_width

WIDTH = 40
NARROWEST = 10
"""Bars get WIDTH cells, less on a terminal too narrow for them beside the labels, never fewer."""
SERIES = ("net", "gross", "amount", "total", "weighted", "attained", "orders")
EIGHTHS = " ▏▎▍▌▋▊▉"
TOTAL = "bold"
"""The row style of totals and subtotals, which a chart leaves out."""


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _series(table: Table) -> tuple[str, str] | None:
    """(label column, value column) of a table: its first column and its main series, the
    first of SERIES it has, else its first money column, else its first column of numbers."""
    keys = [c.key for c in table.columns]
    numeric = [c.key for c in table.columns[1:] if c.align == "right"
               and any(_number(row.get(c.key)) is not None for row in table.rows)]
    money = [c.key for c in table.columns[1:] if c.style == "money"]
    value = next((key for key in SERIES if key in keys), None) or next(iter(money + numeric), None)
    return (keys[0], value) if value else None


def bar(value: Decimal, largest: Decimal, width: int = WIDTH) -> str:
    if largest <= 0 or value <= 0:
        return ""
    eighths = int(value / largest * width * 8)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def _labels(table: Table, rows: list[dict]) -> list[str]:
    """What tells the bars apart: the first column, and the second too where the first repeats
    (an owner with one target per period, `ledger --by owner,month`)."""
    first = [visible(cell_text(r.get(table.columns[0].key))) for r in rows]
    second = table.columns[1] if len(table.columns) > 1 else None
    if len(set(first)) == len(first) or second is None or second.align == "right" or second.style == "money":
        return first
    return [f"{name} {visible(cell_text(r.get(second.key)))}" for name, r in zip(first, rows, strict=True)]


def chart(result, columns: int | None = None) -> str:
    """The bars of every table in `result` that has a main series, totals left out; within
    `columns` terminal cells when given. Labels are padded by display width (CJK takes two).
    Amounts in different currencies are never on one scale: each bar is measured against the
    largest of its own currency, which follows the amount."""
    parts = result.parts if isinstance(result, Document) else [result]
    blocks = []
    for table in (p for p in parts if isinstance(p, Table)):
        found = _series(table)
        if not found:
            continue
        key = found[1]
        rows = [r for r in table.rows if r.get("_style") != TOTAL and _number(r.get(key)) is not None]
        if not rows:
            continue
        values = [_number(r[key]) or Decimal(0) for r in rows]
        codes = [str(r.get("currency") or "") for r in rows]
        largest = {code: max(v for v, c in zip(values, codes, strict=True) if c == code) for code in codes}
        names = _labels(table, rows)
        amounts = [f"{amount_text(value, code)} {code}".rstrip() if len(largest) > 1 else amount_text(value, code)
                   for value, code in zip(values, codes, strict=True)]
        label_width = max(shown_width(name) for name in names)
        room = WIDTH if columns is None else columns - label_width - max(map(len, amounts)) - 4
        size = max(NARROWEST, min(WIDTH, room))
        lines = [f"{table.title or ''} — {key}".strip(" —")]
        for name, value, code, amount in zip(names, values, codes, amounts, strict=True):
            gap = " " * (label_width - shown_width(name))
            lines.append(f"{name}{gap}  {bar(value, largest[code], size):<{size}}  {amount}")
        blocks.append("\n".join(lines))
    return "".join(block + "\n\n" for block in blocks)  # a blank line before the table
