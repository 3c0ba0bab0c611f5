"""Plain and markdown tables, line by line, at any size: tabulate's "simple" and "pipe" layouts.

tabulate detects a type for every cell and measures every cell with wcwidth, which takes
seconds at 20,000 rows; a table here costs a few string operations per column. The layout is
tabulate's, byte for byte (tests/render/test_grid.py holds the two side by side): cells
stripped, each column as wide as its widest cell or its header and two spaces, columns two
spaces apart, trailing spaces cut; in "simple", a cell with line breaks takes several lines.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import repeat

from crmcli.model.views import Align

NARROW = "\u00a0-\u024f\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e\u20a0-\u20c0\u2100-\u22ff\u2500-\u257f"
WIDE = ("\u3000-\u3029\u3030-\u303e\u3041-\u3096\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uac00-\ud7a3\uf900-\ufaff\uff01-\uff60\uffe0-\uffe6")
"""The ranges (first-last, as in a regular expression's class) of characters whose width is one
cell (NARROW, and printable ASCII) or two (WIDE: Chinese, Japanese and Korean characters,
full-width forms), exactly as wcwidth (and rich) count them: letters of Latin, Greek and
Cyrillic scripts without combining marks, punctuation, currency signs, arrows, math and
box-drawing signs. Anything else (a combining accent, an emoji sequence, a tab) is measured by
wcwidth itself. Looked up by bisection, not compiled into a regular expression: compiling a
class of these 40,000 characters cost every command 4.5 ms (python -X importtime)."""


def _ranges(ranges: str, cells: int) -> list[tuple[int, int, int]]:
    return [(ord(first), ord(last), cells) for first, last in zip(ranges[::3], ranges[2::3], strict=True)]


RANGES = sorted([(0x20, 0x7e, 1), *_ranges(NARROW, 1), *_ranges(WIDE, 2)])
STARTS = [first for first, _last, _cells in RANGES]


@functools.cache
def char_cells(char: str) -> int:
    """The cells a character of the ranges above takes (1 or 2); 0 for any other character."""
    code = ord(char)
    at = bisect_right(STARTS, code) - 1
    return RANGES[at][2] if at >= 0 and code <= RANGES[at][1] else 0


def simple(text: str) -> bool:
    """Whether every character of `text` is of the ranges above, so that its width is the sum
    of theirs (each line of a table's text, or a whole column joined)."""
    return text.isascii() and text.isprintable() or all(map(char_cells, set(text)))


def has_wide(text: str) -> bool:
    """Whether `text` holds a WIDE character (a Chinese name)."""
    return not text.isascii() and any(char_cells(char) == 2 for char in set(text))


def width(text: str) -> int:
    """Display width of one line of `text`, as wcwidth.wcswidth gives it (-1 when it holds a
    control character, such as a tab)."""
    if text.isascii() and text.isprintable():
        return len(text)
    chars = set(text)
    if all(map(char_cells, chars)):
        return len(text) + sum(text.count(char) for char in chars if char_cells(char) == 2)
    # lazy: wcwidth loads in 11-50 ms (python -X importtime); text outside the ranges is rare
    from wcwidth import wcswidth

    return wcswidth(text)


def _widths(cells: list[str]) -> tuple[list[int] | None, bool]:
    """The width of each cell (None: each is its length), and whether they are exact sums
    of their characters' widths, so that padding adds exactly the spaces it adds."""
    joined = "".join(cells)
    if joined.isascii() and joined.isprintable():
        return None, True
    chars = set(joined)
    if all(map(char_cells, chars)):
        wide = [char for char in chars if char_cells(char) == 2]
        if not wide:
            return list(map(len, cells)), True
        doubled = str.maketrans(dict.fromkeys(wide, "  "))  # a wide character counts twice
        return [len(cell.translate(doubled)) for cell in cells], True
    return [width(cell) for cell in cells], False


SPEC = {"left": "<", "right": ">", "center": "^"}


def _pad(text: str, size: int, target: int, align: Align) -> str:
    """`text`, `size` cells wide, padded to `target` cells."""
    gap = target - size
    if align == "right":
        return " " * gap + text
    if align == "center":
        return format(text, f"^{len(text) + max(gap, 0)}")
    return text + " " * gap


def _column(cells: list[str], header: str | None, align: Align) -> tuple[list[str], int]:
    """A single-line column's cells padded to its width, and that width."""
    cells = list(map(str.strip, cells))
    least = width(header) + 2 if header is not None else 0
    sizes, exact = _widths(cells)
    if sizes is None:
        size = max(least, max(map(len, cells), default=0))
        if align == "center":
            return [format(cell, f"^{size}") for cell in cells], size
        return list(map(str.rjust if align == "right" else str.ljust, cells, repeat(size))), size
    size = max(least, max(sizes, default=0))
    padded = [_pad(cell, measured, size, align) for cell, measured in zip(cells, sizes, strict=True)]
    if not exact:  # as tabulate, the column is as wide as its widest padded cell
        size = max([least] + [width(cell) for cell in padded])
    return padded, size


LINE_BREAK = re.compile("[\r\n]")


def _lines_width(text: str) -> int:
    return max(map(width, LINE_BREAK.split(text)))


def _multiline_column(cells: list[str], header: str | None, align: Align) -> tuple[list[str], int]:
    """A column whose cells may hold line breaks, each line padded on its own; the lines
    measured and the lines padded are cut as tabulate cuts them."""
    cells = [cell.strip() for cell in cells]
    least = _lines_width(header) + 2 if header is not None else 0
    measured = [[(width(line), len(line)) for line in LINE_BREAK.split(cell)] for cell in cells]
    size = max([least] + [size for lines in measured for size, _ in lines])
    spec = SPEC[align]
    padded = ["\n".join(format(line, f"{spec}{size - shown + length}")
                        for line, (shown, length) in zip(cell.splitlines() or cell, lines, strict=False))
              for cell, lines in zip(cells, measured, strict=True)]
    return padded, max([least] + [_lines_width(cell) for cell in padded])


def _header(header: str, size: int, align: Align) -> str:
    return "\n".join(_pad(line, width(line), size, align) for line in HEADER_BREAK.split(header))


HEADER_BREAK = re.compile("\r|\n|\r\n")


def _pipe_rule(size: int, align: Align) -> str:
    if align == "right":
        return "-" * (size - 1) + ":"
    if align == "center":
        return ":" + "-" * (size - 2) + ":"
    return ":" + "-" * (size - 1)


def grid(columns: Sequence[list[str]], aligns: Sequence[Align], headers: Sequence[str] | None = None,
         markdown: bool = False) -> Iterator[str]:
    """The lines of a table of `columns` (the cells of each, top to bottom) under `headers`:
    tabulate's "simple" layout, or its "pipe" one (markdown, whose cells have no line breaks)."""
    names: Sequence[str | None] = headers if headers is not None else [None] * len(columns)
    multiline = not markdown and any(LINE_BREAK.search(text) for text in
                                     ["".join(cells) for cells in columns] + list(headers or ()))
    shape = _multiline_column if multiline else _column
    laid = [shape(cells, name, align) for cells, name, align in zip(columns, names, aligns, strict=True)]
    sizes = [size for _, size in laid]
    rows = zip(*(cells for cells, _ in laid), strict=True)
    if markdown:
        if headers is None:
            yield "|" + "|".join(_pipe_rule(size + 2, align) for size, align in zip(sizes, aligns, strict=True)) + "|"
        else:
            yield "| " + " | ".join(_header(name, size, align) for name, size, align
                                     in zip(headers, sizes, aligns, strict=True)) + " |"
            yield "|" + "|".join(_pipe_rule(size + 2, align) for size, align in zip(sizes, aligns, strict=True)) + "|"
        for row in rows:
            yield "| " + " | ".join(row) + " |"
        return
    rule = "  ".join("-" * size for size in sizes).rstrip()
    if headers is None:
        yield rule
    else:
        named = [_header(name, size, align) for name, size, align in zip(headers, sizes, aligns, strict=True)]
        yield from _lines(named, sizes, multiline)
        yield rule
    if multiline:
        for row in rows:
            yield from _lines(row, sizes, multiline)
    else:
        yield from map(str.rstrip, map("  ".join, rows))
    if headers is None:
        yield rule


def _lines(cells: Sequence[str], sizes: list[int], multiline: bool) -> Iterator[str]:
    """One row of "simple": its cells side by side, a cell short of lines padded with blank ones."""
    if not multiline:
        yield "  ".join(cells).rstrip()
        return
    split = [cell.splitlines() for cell in cells]
    count = max(map(len, split))
    split = [lines + [" " * size] * (count - len(lines)) for lines, size in zip(split, sizes, strict=True)]
    for number in range(count):
        yield "  ".join(lines[number] for lines in split).rstrip()
