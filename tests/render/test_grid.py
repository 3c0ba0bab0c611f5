"""Plain and markdown tables are laid out by grid.py at every size; tabulate laid out the small
ones before (and still lays out html and fields), so every layout is checked against it,
byte for byte, on text of every script: widths must be what wcwidth says."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rich.cells import cell_len
from rich.console import Console
from tabulate import tabulate
from wcwidth import wcswidth

from crmcli.model.views import Column, Table
from crmcli.render import _cell, _column_texts, _csv_column, _csv_value, _rich_table, markdown_text, render, visible
from crmcli.render.grid import NARROW, WIDE, grid, simple, width
from crmcli.render.guard import csv_cell

PIECES = [
    "Acme", "Müller", "Straße", "Zoë", "ĳ", "Ωmega", "Москва", "华强电子", "张伟", "東京", "ｶﾀｶﾅ", "ＡＢＣ",
    "한국어", "ひらがな", "、。「」", "e\u0301", "n\u0303o", "👍", "👍🏽", "👨‍👩‍👧", "🇩🇪", "❤️", "\u200b",
    "\u00ad", "a\tb", "\x1b[31m", "\u202e", "\x07", "\u2028", "10", "-5", "1,250.00", "True", " ", "\u3000",
    "x" * 12, "—", "…", "€", "ℂ", "\u0600", "\u1100\u1161", "ก\u0e31", "",
]


PLAIN = [piece for piece in PIECES if simple(piece)] + ["a" * 30, "一二三四五六七八九十" * 3]
"""Pieces of the scripts whose width a large terminal table measures itself."""


def _text(rng, pieces: int, among: list[str] = PIECES) -> str:
    return visible(" ".join(rng.choice(among) for _ in range(rng.randint(0, pieces))))


def _table(rng, rows: int, lines: bool):
    count = rng.randint(1, 5)
    headers = [_text(rng, 2) for _ in range(count)]
    aligns = [rng.choice(["left", "right", "center"]) for _ in range(count)]
    cells = [[_text(rng, 4) + (rng.choice(["", "", "\n" + _text(rng, 2), "\n\n"]) if lines else "")
              for _ in range(count)] for _ in range(rows)]
    return headers, aligns, cells


@pytest.mark.parametrize("lines", [False, True], ids=["one-line", "multi-line"])
def test_plain_tables_are_laid_out_as_tabulate_lays_them_out(rng, lines):
    for _ in range(300):
        headers, aligns, cells = _table(rng, rng.randint(1, 6), lines)
        expected = tabulate(cells, headers=headers, tablefmt="simple", colalign=aligns, disable_numparse=True)
        assert "\n".join(grid([list(column) for column in zip(*cells, strict=True)], aligns, headers)) == expected


def test_markdown_tables_are_laid_out_as_tabulate_lays_them_out(rng):
    for _ in range(300):
        headers, aligns, cells = _table(rng, rng.randint(1, 6), False)
        cells = [[markdown_text(cell) for cell in row] for row in cells]
        expected = tabulate(cells, headers=headers, tablefmt="pipe", colalign=aligns, disable_numparse=True)
        columns = [list(column) for column in zip(*cells, strict=True)]
        assert "\n".join(grid(columns, aligns, headers, markdown=True)) == expected


def test_a_table_without_headers_is_ruled_above_and_below(rng):
    for _ in range(50):
        _, aligns, cells = _table(rng, rng.randint(1, 4), rng.random() < 0.5)
        expected = tabulate(cells, tablefmt="simple", colalign=aligns, disable_numparse=True)
        assert "\n".join(grid([list(column) for column in zip(*cells, strict=True)], aligns)) == expected


def test_widths_are_wcwidths_for_every_character_counted_quickly():
    """Each character of the quickly counted ranges is one or two cells wide, exactly as wcwidth
    (and rich, for terminal tables) says, and none of them combines with its neighbours."""
    for ranges, size in ((NARROW, 1), (WIDE, 2)):
        for first, last in zip(ranges[::3], ranges[2::3], strict=True):
            for code in range(ord(first), ord(last) + 1):
                char = chr(code)
                assert wcswidth(char) == size == cell_len(char) and width(char) == size, hex(code)
                assert not unicodedata.combining(char), hex(code)


def test_widths_of_mixed_text_are_wcwidths(rng):
    for _ in range(150):
        text = _text(rng, 6)
        assert width(text) == wcswidth(text), repr(text)


def _render(table: Table, fmt: str) -> str:
    out = io.StringIO()
    render(table, fmt, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt, tablefmt", [("plain", "simple"), ("markdown", "pipe")])
def test_a_large_table_is_laid_out_as_a_small_one(rng, fmt, tablefmt):
    """A thousand rows are laid out by the same rules as three: a name with spaces around it is
    stripped, a tab measured as wcwidth measures it (a separate path for large tables did neither)."""
    columns = [Column("name", "name"), Column("note", "note", align="right"), Column("n", "n", align="center")]
    rows = [{"name": rng.choice([" padded ", "a\tb", "张伟 ", "Zoë"]) + str(number), "note": _text(rng, 3),
             "n": number} for number in range(1000)]
    literal = markdown_text if fmt == "markdown" else str
    cells = [[literal(visible(row["name"])), literal(row["note"]), str(row["n"])] for row in rows]
    expected = tabulate(cells, headers=["name", "note", "n"], tablefmt=tablefmt,
                        colalign=["left", "right", "center"], disable_numparse=True)
    assert _render(Table(columns, rows), fmt) == expected + "\n"


VALUES = [None, True, False, 0, 7, -12, Decimal("1250"), Decimal("1250.5"), Decimal("0.125"), Decimal("-0"),
          Decimal("1E+3"), Decimal("NaN"), Decimal("-1234567.891"), "text", " spaced ", "esc\x1bape", "张伟",
          date(2026, 11, 22), datetime(2026, 11, 22, 9, 30, tzinfo=UTC), ["a", "b\x07"], {"k": "v"}, 1.5]

AMOUNTS = [Decimal(text) for text in ("0.00", "-0.00", "5.10", "999.99", "1000.00", "-1234567.89", "12345678901.25",
                                      "0.125", "100.500", "7.000", "-999999.999")]
"""Amounts as totals hold them: rounded to (or beyond) their currency's minor units."""


@pytest.mark.parametrize("style", [None, "money"])
def test_cells_written_a_column_at_a_time_read_as_each_cell_alone(rng, style):
    for _ in range(200):
        rows = [{"v": rng.choice(VALUES), "currency": rng.choice(["CNY", "JPY", "KWD", None, "XXX"])}
                for _ in range(rng.randint(1, 8))]
        if rng.random() < 0.5:  # one currency and amounts only: the column's quick path
            code = rng.choice(["CNY", "CNY", "KWD", "JPY", None, "XXX"])
            among = AMOUNTS if rng.random() < 0.7 else AMOUNTS + VALUES[6:12]
            rows = [{"v": rng.choice(among), "currency": code} for _ in rows]
        column = Column("v", "v", style=style)
        assert _column_texts(rows, column) == [_cell(row, column) for row in rows]


def _terminal(table: Table, columns: int, large: int, colours: str | None = None, no_color: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=columns, color_system=colours, highlight=False, emoji=False, soft_wrap=False,
                      force_terminal=colours is not None, no_color=no_color)
    drawn, rows = _rich_table(table, console, tuple, large)
    console.print(drawn)
    out.writelines(rows)
    return out.getvalue()


def test_a_large_terminal_table_keeps_the_layout_rich_draws(rng):
    """Rows past LARGE are written as plain lines, which read as rich's own rows without colour:
    the same columns, widths, alignment and wrapping (at spaces, inside long words, CJK by cell)."""
    for _ in range(400):
        count = rng.randint(1, 5)
        among = rng.choice([PIECES, PLAIN, PLAIN])
        columns = [Column(f"c{i}", _text(rng, 2) or "h", align=rng.choice(["left", "right", "center"]),
                          style=rng.choice([None, None, "id", "money", "date"])) for i in range(count)]
        rows = [{f"c{i}": rng.choice([_text(rng, 6, among), _text(rng, 1, among), f"ID-{rng.randint(0, 99)}",
                                      " spaced ", "x\ny", "a\tb", ""]) for i in range(count)}
                for _ in range(rng.randint(1, 6))]
        table = Table(columns, rows, title=rng.choice([None, "Overdue", _text(rng, 8, among)]))
        width = rng.choice([8, 12, 20, 40, 80, 200])
        assert _terminal(table, width, 0) == _terminal(table, width, len(rows))


def test_a_large_terminal_table_keeps_the_colours_rich_gives_its_rows(rng):
    """Overdue rows stay red, dates cyan, ids dim and negative amounts red past LARGE rows,
    written with the very escape sequences rich writes (fewer colours, none under NO_COLOR)."""
    for _ in range(300):
        count = rng.randint(1, 4)
        columns = [Column(f"c{i}", _text(rng, 2) or "h", align=rng.choice(["left", "right", "center"]),
                          style=rng.choice([None, None, "id", "money", "date", "muted"])) for i in range(count)]
        rows = [{**{f"c{i}": rng.choice([_text(rng, 6, PLAIN), f"ID-{rng.randint(0, 99)}", "x\ny", "",
                                         Decimal(rng.randint(-500, 500))]) for i in range(count)},
                 "_style": rng.choice([None, "red", "yellow", "bold red", "dim"])} for _ in range(rng.randint(1, 6))]
        table = Table(columns, rows)
        width = rng.choice([12, 20, 40, 80])
        colours, no_color = rng.choice([("256", False), ("truecolor", False), ("standard", True)])
        assert _terminal(table, width, 0, colours, no_color) == _terminal(table, width, len(rows), colours, no_color)


@pytest.mark.parametrize("raw", [False, True])
@pytest.mark.parametrize("shown", [False, True])
def test_csv_cells_written_a_column_at_a_time_read_as_each_cell_alone(rng, raw, shown):
    values = VALUES + ["=1+1", "+33 1", "-5", "@sum", "\tx", "\rx", "a\x00=b"]
    for _ in range(200):
        column = [rng.choice(values) for _ in range(rng.randint(1, 8))]
        assert _csv_column(column, raw, shown) == [
            csv_cell(value, visible(_csv_value(value)) if shown else _csv_value(value), raw) for value in column]


def test_a_long_plain_document_is_written_as_its_parts_are_laid_out(rng):
    """Lines go out a batch at a time (an unbuffered stdout makes each write a system call):
    the text is the same, parts a blank line apart and an empty part's note in its place,
    wherever a batch ends."""
    from crmcli.model.views import Document
    from crmcli.render import BATCH

    columns = [Column("name", "name"), Column("n", "n", align="right")]
    sizes = [BATCH + 3, 0, BATCH - 3, 2 * BATCH]
    parts = [Table(columns, [{"name": _text(rng, 3, PLAIN), "n": number} for number in range(size)], title=f"part {size}")
             for size in sizes]
    expected = "\n\n".join(
        f"{part.title}\n" + (tabulate([[visible(row["name"]).strip(), str(row["n"])] for row in part.rows],
                                      headers=["name", "n"], colalign=["left", "right"], disable_numparse=True)
                             if part.rows else "(nothing to show)") for part in parts) + "\n"
    assert _render(Document(parts), "plain") == expected
