"""A terminal bar chart of a report's main series, drawn with block characters."""

from __future__ import annotations

from decimal import Decimal

from crmcli.model.views import Document, Table

WIDTH = 40
SERIES = ("net", "gross", "amount", "total", "weighted", "attained", "orders")
EIGHTHS = " ▏▎▍▌▋▊▉"


def _series(table: Table) -> tuple[str, str] | None:
    """(label column, value column) of a table: its first column and the first money-like one."""
    keys = [c.key for c in table.columns]
    value = next((key for key in SERIES if key in keys), None)
    return (keys[0], value) if value and keys else None


def bar(value: Decimal, largest: Decimal) -> str:
    if largest <= 0 or value <= 0:
        return ""
    eighths = int(value / largest * WIDTH * 8)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def chart(result) -> str:
    """The bars of every table in `result` that has a main series, subtotal and total rows left out."""
    from crmcli.render import cell_text, visible

    parts = result.parts if isinstance(result, Document) else [result]
    blocks = []
    for table in (p for p in parts if isinstance(p, Table)):
        found = _series(table)
        if not found:
            continue
        label, key = found
        rows = [r for r in table.rows if r.get(key) is not None and not r.get("_style")]
        values = [Decimal(str(r[key])) for r in rows]
        if not values:
            continue
        largest = max(values)
        width = max(len(cell_text(r.get(label))) for r in rows)
        lines = [f"{table.title or ''} — {key}".strip(" —")]
        for row, value in zip(rows, values, strict=True):
            name = visible(cell_text(row.get(label)))
            lines.append(f"{name:<{width}}  {bar(value, largest):<{WIDTH}}  {value:,f}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
