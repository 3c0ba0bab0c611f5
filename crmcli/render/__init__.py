"""Turning results (model/views.py) into output: rich on a terminal, text, markdown, csv, json, html.

Every table in the tool goes through `render`. Text from records is shown literally:
rich markup in a name is never interpreted, and control characters (terminal
escape sequences) are made visible instead of being sent to the terminal.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice, repeat

from crmcli.i18n import _, language
from crmcli.model import jsonish
from crmcli.model.money import amount_text, amount_texts
from crmcli.model.text import CONTROL, visible
from crmcli.model.views import Align, Document, Fields, Table
from crmcli.render.grid import grid, simple, width
from crmcli.render.guard import TRIGGERS, csv_cell
from crmcli.render.layout import ATOMIC, PADDING, balanced, plan

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
        return amount_text(value, currency) if money else format(value, "f")
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


def _column_texts(rows: list[dict], column) -> list[str]:
    """`_cell` of `column` in every row, a column at a time: plain text (the most common
    cell) is checked for control characters once for the whole column, numbers are written
    straight, so a table of 20,000 rows costs milliseconds."""
    values: list = list(map(dict.get, rows, repeat(column.key)))
    if column.style == "money":
        codes = list(map(dict.get, rows, repeat("currency")))
        if set(map(type, values)) == {Decimal}:
            return amount_texts(values, codes)
        return [cell_text(value, money=True, currency=code) for value, code in zip(values, codes, strict=True)]
    kinds = set(map(type, values))
    if kinds == {int}:  # counts
        return list(map(str, values))
    clean = not CONTROL.search("".join([value for value in values if type(value) is str]))
    if kinds == {str} and clean:  # names, months
        return values
    return [value if type(value) is str and clean else "" if value is None else str(value) if type(value) is int
            else format(value, "f") if type(value) is Decimal else cell_text(value) for value in values]


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


def _text_columns(table: Table, marker: str = "", literal=_as_is) -> list[list[str]]:
    """The cell texts of `table`, column by column, passed through `literal` (the format's
    escaping), highlighted spans wrapped in `marker`."""
    columns = [_column_texts(table.rows, column) for column in table.columns]
    if literal is markdown_text:  # most columns have nothing to escape, as one search tells
        columns = [list(map(literal, texts)) if MARKDOWN_SPECIAL.search(joined := "".join(texts)) or "\n" in joined
                   else texts for texts in columns]
    elif literal is not _as_is:
        columns = [list(map(literal, texts)) for texts in columns]
    for number, row in enumerate(table.rows if marker else ()):
        if row.get("_spans"):
            for texts, column in zip(columns, table.columns, strict=True):
                texts[number] = _marked(row, column, marker, literal)
    return columns


def _text(result, tablefmt: str) -> Iterator[str]:
    """The lines of `result` as text (tablefmt "simple"), markdown ("pipe") or html, joined
    by line ends; the parts a blank line apart."""
    markdown = tablefmt == "pipe"
    # Cells: tabulate escapes them itself for html; markdown needs its markup characters escaped.
    # Headings and the empty note are ours, so html gets them through html.escape.
    literal = markdown_text if markdown else _as_is
    for number, part in enumerate(_tables(result)):
        if number:
            yield ""
        title = part.title
        if markdown and title:
            yield f"## {literal(visible(title))}\n"
        elif tablefmt == "html" and title:
            yield f"<h3>{_html_escape(visible(title))}</h3>"
        elif title:
            yield visible(title)
        if isinstance(part, Fields):
            # tabulate, for its number detection: a field's value may be aligned as a number
            rows = [[literal(visible(label)), literal(cell_text(value))] for label, value in part.items]
            yield _tabulate(rows, tablefmt=tablefmt, headers=["field", "value"] if markdown else ())
        elif part.rows:
            columns = _text_columns(part, "**" if markdown else "", literal)
            aligns = [column.align for column in part.columns]
            headers = [column.header for column in part.columns]
            if tablefmt == "html":
                yield _tabulate(list(zip(*columns, strict=True)), headers=headers, tablefmt="html", colalign=aligns,
                                disable_numparse=True)
            else:
                yield from grid(columns, aligns, headers, markdown)
        else:
            yield f"<p>({_html_escape(part.empty)})</p>" if tablefmt == "html" else f"({part.empty})"


def _html_escape(text: str) -> str:
    # lazy: html loads its table of 2,231 entities, about 1.3 ms (python -X importtime); only html output escapes
    from html import escape

    return escape(text)


def _tabulate(rows: list, **options) -> str:
    """tabulate's table of `rows`, for html and for fields (grid.py lays out the other tables)."""
    # lazy: tabulate loads in 20-40 ms with wcwidth (python -X importtime); few outputs need it
    from tabulate import tabulate

    return tabulate(rows, **options)


BATCH = 1000
"""Lines of text written at a time: on an unbuffered stdout (python -u, PYTHONUNBUFFERED) every
write is a system call, 20,000 of them for a large ledger."""


def _write_text(lines: Iterable[str], stream) -> None:
    """`lines` joined by line ends, written as they come (`BATCH` at a time), without the
    blank lines at the end (a part whose table is empty ends in one). A batch is joined
    whole and its ending line ends held back until text follows them: no work per line
    (a ledger has 22,000 of them)."""
    lines = iter(lines)
    owed = ""  # line ends between what is written and the next text
    while batch := list(islice(lines, BATCH)):
        text = owed + "\n".join(batch)
        kept = text.rstrip("\n")
        if kept:
            stream.write(kept)
        owed = text[len(kept):] + "\n"
    stream.write("\n")


LARGE = 100
"""Rows beyond which a terminal table's rows are written as lines of text with the colours rich
would give them (`_Painter`), not by rich, which takes 0.3 ms a row."""


def _csv(result, stream, raw: bool = False, shown: bool = False) -> None:
    """CSV of the result. Files (exports) keep text exactly as it is but for the formula guard;
    what is `shown` (printed to the terminal) has its control characters made visible."""
    def cell(value) -> str:
        text = _csv_value(value)
        return csv_cell(value, visible(text) if shown else text, raw)

    import csv  # lazy: few outputs are csv

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
            writer.writerows(zip(*(_csv_column([row.get(c.key) for row in part.rows], raw, shown)
                                   for c in part.columns), strict=True))


def _csv_column(values: list, raw: bool, shown: bool) -> list[str]:
    """The CSV cells of a column's `values`, as `_csv`'s cell() writes each: text as it is,
    then (one search of the whole column telling whether any needs it) made visible and
    guarded against formulas."""
    texts = [value if type(value) is str else "" if value is None else str(value) if type(value) is int
             else _csv_value(value) for value in values]
    if shown and CONTROL.search("".join(texts)):
        texts = list(map(visible, texts))
    if not raw and FORMULA_START.search("\x00" + "\x00".join(texts)):
        texts = [csv_cell(value, text) for value, text in zip(values, texts, strict=True)]
    return texts


FORMULA_START = re.compile("\x00[" + re.escape("".join(TRIGGERS)) + "]")


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
            table, rows = _rich_table(part, console, known_ids)
            console.print(table)
            stream.writelines(rows)
        else:
            if part.title:
                console.print(Text(visible(part.title), style="bold"))
            console.print(Text(f"({part.empty})", style="dim"))
        console.print()


def _rich_table(part: Table, console, known_ids, large: int = LARGE):
    """`part` as a rich table as wide as `console` at most, laid out by the one policy
    (layout.py); ids shortened stay unique among `known_ids()`. A table of more than `large`
    rows, which rich takes seconds to draw, comes back with its title and header only, and
    its rows as lines of plain text in the same layout (`_plain_rows`)."""
    # lazy: rich loads in 50-80 ms (python -X importtime); plain and piped output do without it
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    texts = [list(row) for row in zip(*_text_columns(part), strict=True)]
    layout = plan(part.columns, texts, console.width, known_ids)
    table = RichTable(title=Text(visible(part.title), style="bold") if part.title else None,
                      box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for i, size in zip(layout.shown, layout.widths, strict=True):
        column = part.columns[i]
        table.add_column(Text(column.header), justify=column.align, style=STYLES.get(column.style or ""),
                         width=size, overflow="fold")
    cells = [[layout.ids[i][number] if i in layout.ids else texts[number][i] for i in layout.shown]
             for number in range(len(part.rows))]
    for position, (i, size) in enumerate(zip(layout.shown, layout.widths, strict=True)):
        if part.columns[i].style not in ATOMIC:  # a Chinese name wrapped in even lines, not 公 / 司
            for row, shown in zip(part.rows, cells, strict=True):
                if width(shown[position]) > size and not (row.get("_spans") or {}).get(part.columns[i].key):
                    shown[position] = balanced(shown[position], size)
    if len(part.rows) > large and not any(row.get("_spans") for row in part.rows) and \
            _plain_enough(cells, layout, console.width):
        kept = [part.columns[i] for i in layout.shown]
        painted = _Painter(console, [STYLES.get(column.style or "") for column in kept])
        marks = [[_negative(row.get(column.key)) for column in kept] for row in part.rows] \
            if console.color_system else None
        return table, _plain_rows(cells, [column.align for column in kept], layout.widths, console,
                                  painted.rows([row.get("_style") for row in part.rows], marks))
    for row, shown in zip(part.rows, cells, strict=True):
        line = []
        for i, text in zip(layout.shown, shown, strict=True):
            column = part.columns[i]
            cell = Text(text, style=_negative(row.get(column.key)), overflow="fold")
            for start, end in (row.get("_spans") or {}).get(column.key) or []:
                cell.stylize("bold yellow", start, end)
            line.append(cell)
        table.add_row(*line, style=row.get("_style"))
    return table, []


def _negative(value) -> str:
    """The style of a cell holding `value`: an amount below zero in red."""
    return "red" if isinstance(value, Decimal) and value < 0 else ""


Paint = tuple[str, str, str, str]
"""How a cell is coloured, as rich writes it: the escape sequences that open and close its
padding (and its blank lines), and those that open and close its text."""
PLAIN_PAINT: Paint = ("", "", "", "")


class _Painter:
    """The escape sequences rich writes around a cell of a table row: the column's style, then
    the row's (`_style`: overdue red…), then the text's own (a negative amount), each written
    as the console writes it (none for a file or a dumb terminal, no colours under NO_COLOR)."""

    def __init__(self, console, column_styles: list[str | None]):
        self.console = console
        self.columns = column_styles
        self.known: dict[tuple, Paint] = {}

    def _sequences(self, style) -> tuple[str, str]:
        if self.console.no_color:
            style = style.without_color
        rendered = style.render("\x00", color_system=self.console.color_system)
        opening, _, closing = rendered.partition("\x00")
        return opening, closing

    def paint(self, column: str | None, row: str | None, text: str) -> Paint:
        key = (column, row, text)
        if key not in self.known:
            # lazy: rich loads in 50-80 ms (python -X importtime); plain and piped output do without it
            from rich.style import Style

            base = Style.combine([Style.null()] + [self.console.get_style(name) for name in (column, row) if name])
            self.known[key] = (*self._sequences(base), *self._sequences(base + Style.parse(text or "none")))
        return self.known[key]

    def rows(self, row_styles: list[str | None], marks: list[list[str]] | None) -> list[list[Paint]] | None:
        """The paint of every cell, or None when no cell has any (the rows are written plain)."""
        if self.console.color_system is None or (not any(row_styles) and not any(self.columns) and
                                                 not (marks and any(map(any, marks)))):
            return None
        return [[self.paint(column, row, mark)
                 for column, mark in zip(self.columns, marked or repeat(""), strict=False)]
                for row, marked in zip(row_styles, marks or repeat(None), strict=False)]


def _plain_enough(cells: list[list[str]], layout, total: int) -> bool:
    """Whether `_plain_rows` draws these rows as rich would: the columns fit (else rich narrows
    them further), and the text is of the scripts whose width is plain (grid.simple; rich
    measures zero-width, combining and emoji characters its own way), line breaks and tabs aside."""
    return bool(layout.shown) and sum(layout.widths) + PADDING * len(layout.shown) - 1 <= total and \
        all(simple("".join(texts).replace("\n", "").replace("\t", "")) for texts in zip(*cells, strict=True))


def _plain_rows(rows: list[list[str]], aligns: list[Align], widths: list[int], console,
                paints: list[list[Paint]] | None = None) -> Iterator[str]:
    """The rows of a rich table (box SIMPLE_HEAD without edges, cells folding) as rich lays
    them out and colours them (`paints`, one per cell; None: no colours). A cell is wrapped
    where rich wraps it (its divide_line) and justified as rich's Text.wrap justifies each
    line; only a cell holding a line break or a tab goes through rich's Text itself."""
    # lazy: rich loads in 50-80 ms (python -X importtime); plain and piped output do without it
    from rich._wrap import divide_line  # rich's own wrapping, so the rows break where rich breaks them
    from rich.cells import set_cell_size
    from rich.text import Text

    def justified(piece: str, size: int, align: Align) -> str:
        if align != "left":
            piece = piece.rstrip()
        shown = width(piece)  # rich's widths of grid.simple text (tests/render/test_grid.py)
        if shown > size:
            piece, shown = set_cell_size(piece, size), size
        before = 0 if align == "left" else size - shown if align == "right" else (size - shown) // 2
        return " " * before + piece + " " * (size - shown - before)

    def lines(text: str, size: int, align: Align) -> list[str]:
        if "\n" in text or "\t" in text:
            return [set_cell_size(line.plain, size) for line in
                    Text(text).wrap(console, size, justify=align, overflow="fold")]
        if width(text) <= size:
            return [justified(text, size, align)]
        bounds = [0, *divide_line(text, size), len(text)]
        return [justified(_cut_spaces(text[start:end], size), size, align)
                for start, end in zip(bounds, bounds[1:], strict=False)]

    def column(texts: tuple[str, ...], size: int, align: Align) -> list:
        """Each cell of a column as one line (str) or as several (a list)."""
        joined = "".join(texts)
        if align != "center" and joined.isascii() and joined.isprintable() and max(map(len, texts)) <= size:
            return list(map(str.ljust, texts, repeat(size))) if align == "left" else \
                [text.rstrip().rjust(size) for text in texts]
        return [cell[0] if len(cell) == 1 else cell for cell in (lines(text, size, align) for text in texts)]

    columns = zip(*rows, strict=True)
    laid = [column(texts, size, align) for texts, size, align in zip(columns, widths, aligns, strict=True)]
    for cells, paint in zip(zip(*laid, strict=True), paints or repeat(None), strict=False):
        if paint is None or all(style == PLAIN_PAINT for style in paint):
            if all(type(cell) is str for cell in cells):
                yield " " + "   ".join(cells) + " \n"
                continue
            paint = [PLAIN_PAINT] * len(cells)
        split = [[cell] if type(cell) is str else cell for cell in cells]
        for number in range(max(map(len, split))):
            yield " ".join(_painted(cell[number], style) if number < len(cell) else
                           style[0] + " " * (size + 2) + style[1] if style[0] else " " * (size + 2)
                           for cell, size, style in zip(split, widths, paint, strict=True)) + "\n"


def _painted(text: str, paint: Paint) -> str:
    """One line of a cell, between its padding, with the escape sequences rich writes for it."""
    opening, closing, text_opening, text_closing = paint
    pad = opening + " " + closing
    return pad + text_opening + text + text_closing + pad


TRAILING_SPACE = re.compile(r"\s+$")


def _cut_spaces(line: str, size: int) -> str:
    """rich's Text.rstrip_end: the spaces that end a wrapped line cut while it is longer than
    `size` characters."""
    excess = len(line) - size
    found = TRAILING_SPACE.search(line) if excess > 0 else None
    return line[:len(line) - min(len(found.group()), excess)] if found else line


def localized(result):
    """`result` with its headings, titles, labels and interface words in the run's language
    (for people: table, plain, markdown, html; csv and json stay as data)."""
    if language() == "en":
        return result

    def table(part):
        if isinstance(part, Fields):
            return Fields([(_(label), value) for label, value in part.items], title=_(part.title or ""))
        words = [c.key for c in part.columns if c.translate]
        rows = [{**row, **{key: _(row[key]) for key in words if isinstance(row.get(key), str)}} for row in part.rows] \
            if words else part.rows
        return Table([c._replace(header=_(c.header)) for c in part.columns], rows, title=_(part.title or ""),
                     records=part.records, empty=_(part.empty))

    if isinstance(result, Document):
        return Document([table(part) for part in result.parts], title=_(result.title or ""), payload=result.payload)
    return table(result)


TEXT = {"markdown": "pipe", "plain": "simple", "html": "html"}


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
    elif fmt in TEXT:
        _write_text(_text(result, TEXT[fmt]), stream)
    else:
        _rich(result, stream, functools.cache(known_ids))
    stream.flush()


def is_empty(result) -> bool:
    return isinstance(result, Table) and not result.rows
