"""The one table policy for terminals: which columns a table keeps at a width, and how wide each is.

Nothing a person reads a table for (a name, a summary, an amount) is cut short with `…`.
When the terminal is too narrow for every column at its natural width, in this order:
ids are shortened to a prefix that is unique among every id of the data directory (as git
shortens hashes; all ids of a column to the same length, and never dropped: they are what
commands take), low-value columns are dropped (LOW, then NORMAL, the rightmost first) while
the rest would be narrower than READABLE, and then text wraps: at spaces, and at any character
boundary for a word or a CJK run, by display width (a CJK character takes two cells). Spare
cells first go to a column that then holds its longest word (a Chinese name) whole. Interface
words (a stage, a status) are never split mid-word. Only if the columns that must stay do not
fit even so do they wrap narrower still, amounts included; they are never truncated.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from rich.cells import cell_len

from crmcli.model.views import KEEP, LOW, NORMAL, Column
from crmcli.render.grid import char_cells, has_wide, simple
from crmcli.render.grid import width as simple_width

PADDING = 3
"""Cells each column adds beside its text: one either side, and the divider between two columns
(rich's SIMPLE_HEAD box without edges), which the first column does without."""
READABLE = 12
"""A wrapping column is not made narrower than this (unless its text is shorter) while other
columns can still be dropped; a KEEP one (a name, a summary) not narrower than READABLE_KEPT."""
READABLE_KEPT = 20
ID_MIN = 4
"""The shortest id prefix shown: a shorter one is hard to type back and easy to misread."""
KEPT_WORD = 26
"""The longest word of a kept column (a name of 13 Chinese characters) that LOW columns make room for."""
SQUEEZED = 2
"""The narrowest a column gets when even the columns that must stay do not fit: one CJK character."""
ATOMIC = ("date", "money", "id")
"""Column styles whose cells wrap only when nothing else is left to give."""


class Plan(NamedTuple):
    """How a table fits the terminal, made once and only read. A named tuple, not a dataclass:
    every command that prints a table defines it at start-up, at a fifth of the cost."""

    shown: list[int]
    """The positions of the columns kept, in order."""
    widths: list[int]
    """The content width of each column kept, in cells."""
    ids: Mapping[int, list[str]] = MappingProxyType({})
    """Shortened cell texts of id columns, by column position, one per row."""


def width(text: str) -> int:
    """Display width of `text` in terminal cells: its widest line."""
    if "\n" not in text and simple(text):  # most text: rich counts as grid does (test_grid.py)
        return simple_width(text)
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _longest_word(text: str) -> int:
    return max((width(word) for word in text.split()), default=0)


Known = Callable[[], Iterable[str]]
"""Every id a shortened one must stay unique among (the data directory's), asked for only when
ids are shortened."""


def short_ids(texts: list[str], known: Iterable[str] = ()) -> list[str]:
    """The ids of a column cut to one length (at least ID_MIN characters): the shortest at which
    each starts no other id of the column or of `known`, ignoring case as `crm … show PREFIX`
    does, so what is shown can be typed back, and the column reads evenly. In sorted order an
    id shares its longest common prefix with a neighbour."""
    universe = sorted({text.upper() for text in texts} | {ident.upper() for ident in known})

    def common(a: str, b: str) -> int:
        """The length of the prefix `a` and `b` share, found by halving (ids share long ones)."""
        low, high = 0, min(len(a), len(b))
        while low < high:
            middle = (low + high + 1) // 2
            if a[:middle] == b[:middle]:
                low = middle
            else:
                high = middle - 1
        return low

    def shortest(ident: str) -> int:
        key = ident.upper()
        position = bisect_left(universe, key)
        before = universe[position - 1] if position else ""
        after = universe[position + 1] if position + 1 < len(universe) else ""
        return max(ID_MIN, common(key, before) + 1, common(key, after) + 1)

    size = max(map(shortest, set(texts)), default=ID_MIN)
    return [text[:size] for text in texts]


def priority(column: Column, position: int) -> int:
    """How readily a column goes (a larger number goes first); see Column.priority."""
    if column.priority is not None:
        return column.priority
    return KEEP if column.style in ("money", "id") or column.key == "currency" or position == 0 else NORMAL


def plan(columns: list[Column], cells: list[list[str]], total: int, known: Known = tuple) -> Plan:
    """How to show `cells` (one list of texts per row, one text per column) under `columns`
    in `total` terminal cells; shortened ids stay unique among `known()`."""
    count = len(columns)
    natural = [max([width(c.header)] + [width(row[i]) for row in cells]) for i, c in enumerate(columns)]
    if sum(natural) + PADDING * count - 1 <= total:
        return Plan(list(range(count)), natural)
    universe = list(known()) if any(c.style == "id" for c in columns) else []
    ids = {i: short_ids([row[i] for row in cells], universe) for i, c in enumerate(columns) if c.style == "id"}
    for i, texts in ids.items():
        natural[i] = max([_longest_word(columns[i].header)] + [width(text) for text in texts])
    ranks = [priority(c, i) for i, c in enumerate(columns)]
    words = [max([_longest_word(c.header)] + [_longest_word(row[i]) for row in cells]) if i not in ids else natural[i]
             for i, c in enumerate(columns)]
    least = [natural[i] if c.style in ATOMIC else words[i] if c.translate else
             min(natural[i], max(READABLE_KEPT if ranks[i] == KEEP else READABLE, _longest_word(c.header)))
             for i, c in enumerate(columns)]
    # a LOW column goes rather than a kept one's longest word (a Chinese name) wrapping
    wanted = [min(natural[i], max(least[i], min(words[i], KEPT_WORD))) if ranks[i] == KEEP and c.style not in ATOMIC
              else least[i] for i, c in enumerate(columns)]
    shown = list(range(count))
    for i in sorted(range(count), key=lambda i: (-ranks[i], -i)):
        needed = wanted if ranks[i] == LOW else least
        if ranks[i] == KEEP or sum(needed[j] + PADDING for j in shown) - 1 <= total:
            break
        shown.remove(i)
    room = total + 1 - PADDING * len(shown)
    whole = [columns[i].style in ATOMIC or columns[i].translate for i in shown]
    lower = [least[i] for i in shown]
    for narrower in (READABLE, SQUEEZED):  # the texts give way first, then the dates, ids and amounts
        if sum(lower) > room:
            lower = [least[i] if kept else min(natural[i], max(narrower, _longest_word(columns[i].header)) if
                     narrower == READABLE else SQUEEZED) for i, kept in zip(shown, whole, strict=True)]
    if sum(lower) > room:
        lower = [min(natural[i], SQUEEZED) for i in shown]
    return Plan(shown, _fill(lower, [least[i] for i in shown], [words[i] for i in shown], [natural[i] for i in shown],
                             room),
                {i: ids[i] for i in shown if i in ids})


def balanced(text: str, size: int) -> str:
    """`text`, a run without spaces (a Chinese name) wider than `size` cells, broken into as few
    lines as it needs, all about as wide (深圳市华强电子 / 有限公司, not 深圳市华强电子有限公 / 司);
    other text as it is, for the terminal to wrap."""
    total = width(text)
    if total <= size or size < SQUEEZED * 2 or not has_wide(text) or any(c.isspace() for c in text) \
            or not simple(text):
        return text
    lines = -(-total // size)
    for target in range(-(-total // lines), size + 1):  # the narrowest lines that take no more of them
        pieces, line, used = [], "", 0
        for char in text:
            cells = char_cells(char)
            if used + cells > target and line:
                pieces.append(line)
                line, used = "", 0
            line += char
            used += cells
        if len(pieces) + 1 <= lines:
            return "\n".join(pieces + [line])
    return text


def _fill(lower: list[int], readable: list[int], words: list[int], upper: list[int], room: int) -> list[int]:
    """Widths from `lower` up to `upper` in `room` cells: first every column towards `readable`,
    the nearest first and none beyond a fair share of what is left (a date or an amount whole,
    the texts alike), then a column as wide as its longest word (a Chinese name, which
    would otherwise wrap mid-name) where that whole word fits in what is left, the nearest
    first, then each spare cell to the column furthest from its natural width (the long texts
    grow first)."""
    widths = list(lower)
    spare = room - sum(widths)
    order = sorted(range(len(widths)), key=lambda i: readable[i] - widths[i])
    for left, i in zip(range(len(order), 0, -1), order, strict=True):
        grow = max(0, min(readable[i] - widths[i], spare // left))
        widths[i] += grow
        spare -= grow
    for i in sorted(range(len(widths)), key=lambda i: words[i] - widths[i]):
        grow = min(words[i], upper[i]) - widths[i]
        if 0 < grow <= spare:
            widths[i] += grow
            spare -= grow
    while spare > 0:
        gaps = [top - now for top, now in zip(upper, widths, strict=True)]
        widest = max(range(len(gaps)), key=lambda i: gaps[i], default=None)
        if widest is None or gaps[widest] <= 0:
            break
        widths[widest] += 1
        spare -= 1
    return widths
