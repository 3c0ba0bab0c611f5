"""Turning results (model/views.py) into output: rich on a terminal, text, markdown, csv, json, html.

Every table in the tool goes through `render`. Text from records is shown literally:
rich markup in a name is never interpreted, and control characters (terminal
escape sequences) are made visible instead of being sent to the terminal.
"""

from __future__ import annotations

import csv
import functools
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from html import escape

from crmcli.i18n import _, language
from crmcli.model import jsonish
from crmcli.model.money import padded
from crmcli.model.text import visible  # noqa: F401  (one implementation, for every face)
from crmcli.model.views import Align, Document, Fields, Table
from crmcli.render.guard import csv_cell
from crmcli.render.layout import plan

MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def markdown_text(text: str) -> str:
    """Text that markdown shows as it is: its markup characters (`*`, `[`, `|`, `<`…) escaped,
    so a name can neither format, link, inject HTML nor break a table's columns."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "<br>")


def cell_text(value, *, money: bool = False, currency: str | None = None) -> str:
    """How a value reads in a human table; an amount (`money`) with thousands separators and
    at least the minor units of `currency`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{padded(value, currency):,f}" if money else format(value, "f")
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {cell_text(v)}" for k, v in value.items())
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return visible(str(value))


def _cell(row: dict, column) -> str:
    """The text of `column` in `row`; an amount in the currency the row names."""
    return cell_text(row.get(column.key), money=column.style == "money", currency=row.get("currency"))


def _public(row: dict) -> dict:
    return {key: value for key, value in row.items() if not key.startswith("_")}


def _tables(result) -> Sequence[Table | Fields]:
    return result.parts if isinstance(result, Document) else [result]


def _payload(result):
    if isinstance(result, Document):
        return result.payload
    if isinstance(result, Table):
        return [_public(row) for row in result.data()]
    return {label: value for label, value in result.items}


def _marked(row: dict, column, marker: str, literal) -> str:
    """A cell's text with its highlighted spans wrapped in `marker` (markdown's **), each piece
    passed through `literal`, the format's escaping."""
    text = _cell(row, column)
    spans = (row.get("_spans") or {}).get(column.key) or []
    if not marker or not spans:
        return literal(text)
    pieces, last = [], 0
    for start, end in spans:
        pieces += [literal(text[last:start]), marker, literal(text[start:end]), marker]
        last = end
    return "".join(pieces + [literal(text[last:])])


def _as_is(text: str) -> str:
    return text


def _text_rows(table: Table, marker: str = "", literal=_as_is) -> tuple[list[str], list[list[str]]]:
    headers = [column.header for column in table.columns]
    rows = [[_marked(row, c, marker, literal) for c in table.columns] if row.get("_spans")
            else [literal(_cell(row, c)) for c in table.columns] for row in table.rows]
    return headers, rows


def _tabulate(result, tablefmt: str) -> str:
    # lazy: tabulate loads in 65 ms with wcwidth (python -X importtime); only text tables need it
    from tabulate import tabulate

    chunks = []
    # Cells: tabulate escapes them itself for html; markdown needs its markup characters escaped.
    # Headings and the empty note are ours, so html gets them through html.escape.
    literal = markdown_text if tablefmt == "pipe" else _as_is
    for part in _tables(result):
        title = part.title
        if tablefmt == "pipe" and title:
            chunks.append(f"## {literal(visible(title))}\n")
        elif tablefmt == "html" and title:
            chunks.append(f"<h3>{escape(visible(title))}</h3>")
        elif title:
            chunks.append(visible(title))
        if isinstance(part, Fields):
            rows = [[literal(visible(label)), literal(cell_text(value))] for label, value in part.items]
            chunks.append(tabulate(rows, tablefmt=tablefmt, headers=["field", "value"] if tablefmt == "pipe" else ()))
        elif part.rows:
            headers, rows = _text_rows(part, "**" if tablefmt == "pipe" else "", literal)
            aligns = [c.align for c in part.columns]
            if tablefmt == "simple" and len(rows) > LARGE and not any("\n" in cell for row in rows for cell in row):
                chunks.append(_aligned(headers, rows, aligns))
            else:
                chunks.append(tabulate(rows, headers=headers, tablefmt=tablefmt, colalign=aligns,
                                       disable_numparse=True))
        else:
            chunks.append(f"<p>({escape(part.empty)})</p>" if tablefmt == "html" else f"({part.empty})")
        chunks.append("")
    return "\n".join(chunks).rstrip("\n") + "\n"


LARGE = 500


def _aligned(headers: list[str], rows: list[list[str]], aligns: list[Align]) -> str:
    """tabulate's "simple" layout, line for line, for tables too large for tabulate, whose
    per-cell type detection takes seconds at 20,000 rows. Widths come from wcwidth, as there."""
    # lazy: wcwidth loads in 50 ms (python -X importtime); only text tables need it
    from wcwidth import wcswidth

    def width(text: str) -> int:
        measured = wcswidth(text)
        return measured if measured >= 0 else len(text)

    widths = [max([width(header) + 2] + [width(row[i]) for row in rows]) for i, header in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = []
        for cell, size, align in zip(cells, widths, aligns, strict=True):
            gap = " " * (size - width(cell))
            padded.append(gap + cell if align == "right" else cell + gap)
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), "  ".join("-" * size for size in widths)] + [line(row) for row in rows])


def _csv(result, stream, raw: bool = False, shown: bool = False) -> None:
    """CSV of the result. Files (exports) keep text exactly as it is but for the formula guard;
    what is `shown` (printed to the terminal) has its control characters made visible."""
    def cell(value) -> str:
        text = _csv_value(value)
        return csv_cell(value, visible(text) if shown else text, raw)

    writer = csv.writer(stream)  # RFC 4180 line ends: a cell holding a lone CR is then quoted too
    parts = _tables(result)
    for position, part in enumerate(parts):
        if len(parts) > 1:
            if position:
                writer.writerow([])
            writer.writerow([f"# {visible(part.title or '')}"])
        if isinstance(part, Fields):
            writer.writerow(["field", "value"])
            writer.writerows([[cell(label), cell(value)] for label, value in part.items])
        else:
            writer.writerow([cell(c.header) for c in part.columns])
            writer.writerows([[cell(row.get(c.key)) for c in part.columns] for row in part.rows])


def _csv_value(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (list, tuple)):
        return "; ".join(_csv_value(v) for v in value)
    return "" if value is None else cell_text(value) if isinstance(value, (bool, dict, date)) else str(value)


STYLES = {"money": None, "date": "cyan", "id": "dim", "muted": "dim"}


def _rich(result, stream, known_ids) -> None:
    # lazy: rich loads in 50-80 ms (python -X importtime); plain and piped output do without it
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    wide = None if stream.isatty() or os.environ.get("COLUMNS") else 200
    console = Console(file=stream, highlight=False, emoji=False, soft_wrap=False, width=wide)
    for part in _tables(result):
        if isinstance(part, Fields):
            grid = RichTable.grid(padding=(0, 2))
            grid.add_column(style="bold", overflow="fold")
            grid.add_column(overflow="fold")
            for label, value in part.items:
                grid.add_row(Text(visible(label)), Text(cell_text(value)))
            if part.title:
                console.print(Text(visible(part.title), style="bold underline"))
            console.print(grid)
            console.print()
            continue
        if part.rows:
            console.print(_rich_table(part, console.width, known_ids))
        else:
            if part.title:
                console.print(Text(visible(part.title), style="bold"))
            console.print(Text(f"({part.empty})", style="dim"))
        console.print()


def _rich_table(part: Table, total: int, known_ids):
    """`part` as a rich table `total` cells wide at most, laid out by the one policy (layout.py);
    ids shortened stay unique among `known_ids()`."""
    # lazy: rich loads in 50-80 ms (python -X importtime); plain and piped output do without it
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    texts = [[_cell(row, c) for c in part.columns] for row in part.rows]
    layout = plan(part.columns, texts, total, known_ids)
    table = RichTable(title=Text(visible(part.title), style="bold") if part.title else None,
                      box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for i, size in zip(layout.shown, layout.widths, strict=True):
        column = part.columns[i]
        table.add_column(Text(column.header), justify=column.align, style=STYLES.get(column.style or ""),
                         width=size, overflow="fold")
    for number, row in enumerate(part.rows):
        cells = []
        for i in layout.shown:
            column = part.columns[i]
            value = row.get(column.key)
            text = layout.ids[i][number] if i in layout.ids else texts[number][i]
            cell = Text(text, style="red" if isinstance(value, Decimal) and value < 0 else "", overflow="fold")
            for start, end in (row.get("_spans") or {}).get(column.key) or []:
                cell.stylize("bold yellow", start, end)
            cells.append(cell)
        table.add_row(*cells, style=row.get("_style"))
    return table


def localized(result):
    """`result` with its headings, titles, labels and interface words in the run's language
    (for people: table, plain, markdown, html; csv and json stay as data)."""
    if language() == "en":
        return result

    def table(part):
        if isinstance(part, Fields):
            return replace(part, title=_(part.title or ""), items=[(_(label), value) for label, value in part.items])
        words = [c.key for c in part.columns if c.translate]
        rows = [{**row, **{key: _(row[key]) for key in words if isinstance(row.get(key), str)}} for row in part.rows] \
            if words else part.rows
        return replace(part, columns=[replace(c, header=_(c.header)) for c in part.columns], rows=rows,
                       title=_(part.title or ""), empty=_(part.empty))

    if isinstance(result, Document):
        return replace(result, title=_(result.title or ""), parts=[table(part) for part in result.parts])
    return table(result)


def render(result, fmt: str, stream=None, raw: bool = False, exact: bool = False, known_ids=tuple) -> None:
    """Write `result` to `stream` (stdout) in format `fmt`; `raw` CSV keeps cells that look
    like formulas as they are (see guard.py). CSV on stdout shows control characters as
    escapes, unless it is an `exact` export going to a file or a program, not a terminal.
    `known_ids()` gives every id of the data directory, for a terminal table that shortens ids
    (to prefixes that still name one record)."""
    stream = stream or sys.stdout
    if fmt in ("table", "plain", "markdown", "html"):
        result = localized(result)
    if fmt == "json":
        stream.write(jsonish.dumps(_payload(result), indent=2) + "\n")
    elif fmt == "jsonl":
        payload = _payload(result)
        items = payload if isinstance(payload, list) else [payload]
        for item in items:
            stream.write(jsonish.dumps(item) + "\n")
    elif fmt == "csv":
        _csv(result, stream, raw, shown=stream is sys.stdout and (not exact or stream.isatty()))
    elif fmt == "markdown":
        stream.write(_tabulate(result, "pipe"))
    elif fmt == "plain":
        stream.write(_tabulate(result, "simple"))
    elif fmt == "html":
        stream.write(_tabulate(result, "html"))
    else:
        _rich(result, stream, functools.cache(known_ids))
    stream.flush()


def is_empty(result) -> bool:
    return isinstance(result, Table) and not result.rows
