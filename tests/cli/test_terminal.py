"""The daily views as a person sees them in a real terminal at 80, 100 and 120 columns.

One child process runs every view in a pseudo-terminal (pexpect), resizing it between views,
and pyte replays what it printed onto a screen of that width. What a view promises is read
from its `plain` output (the same rows, one per line): every party name, summary and amount
there must be on the screen whole (a cell may wrap over lines: it is put back together),
nothing ends in `…`, and no line is wider than the terminal.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sys

import pexpect
import pyte
import pytest
from wcwidth import wcwidth

from conftest import ROOT, DataDir
from crmcli.render.grid import has_wide

WIDTHS = (80, 100, 120)
VIEWS = [
    ("today",),
    ("show", "huaqiang-dianzi"),
    ("show", "muller-elektrotechnik"),
    ("customer", "list"),
    ("supplier", "list"),
    ("timeline",),
    ("ledger",),
    ("ledger", "--by", "owner,month"),
    ("ledger", "--by", "party"),
    ("search", "线缆"),
    ("search", "cable"),
    ("report", "receivables"),
    ("report", "payables"),
    ("report", "pipeline"),
    ("report", "targets"),
    ("report", "suppliers"),
    ("report", "service"),
    ("report", "segments"),
    ("report", "forecast"),
    ("report", "segments", "--chart"),
    ("deal", "list"),
]
WHOLE = {"name", "party", "party A", "party B", "summary", "title", "subject", "reason", "name / summary", "customer",
         "supplier", "text", "next step", "description", "net", "gross", "outstanding", "amount", "value", "target",
         "attained", "total", "spend", "budget", "price", "actual", "predicted", "cur"}
"""Headers of the columns whose cells must be shown whole: names, what a record says, amounts
and their currency. A table's first column (what its rows are about) is checked too, unless it
is an id. A deal's weighted amount (amount × probability) may go, as the probability does."""
ROWS = 1000
MARK = "@@crm-view {}@@"
DRIVER = """
import fcntl, json, struct, sys, termios
from crmcli.cli import run
runs, rows, mark = json.loads(sys.argv[1])
for number, (width, args) in enumerate(runs):
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, width, 0, 0))
    print(mark.format(number), flush=True)
    run(args)
    sys.stdout.flush()
"""
"""Runs every view in one process (one start-up), the terminal resized before each."""
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def cells(text: str) -> list[str]:
    """`text` as terminal cells: a wide character takes its cell and an empty one, as in pyte."""
    out = []
    for char in text:
        out += [char, ""] if wcwidth(char) == 2 else [char]
    return out


@pytest.fixture(scope="module")
def terminal_demo(tmp_path_factory, indexed_demo) -> DataDir:
    from crmcli.store.state import state_dir

    source, index = indexed_demo
    target = tmp_path_factory.mktemp("terminal") / "demo"
    shutil.copytree(source, target)
    shutil.copytree(index, state_dir(target))
    return DataDir(target)


def in_terminal(runs: list[tuple[int, list[str]]], **environment: str) -> list[str]:
    """What each of `runs` (a width, the arguments) printed in one pseudo-terminal, escape
    sequences and all, under the session's environment and `environment`."""
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    env.update(PYTHONPATH=str(ROOT), TERM="xterm-256color", **environment)
    child = pexpect.spawn(sys.executable, ["-c", DRIVER, json.dumps([runs, ROWS, MARK])], env=env, dimensions=(ROWS, 200),
                          timeout=300)
    printed = child.read().decode("utf-8")
    child.close()
    pieces = re.split(r"@@crm-view (\d+)@@\r\n", printed)
    assert len(pieces) == 2 * len(runs) + 1, printed[-2000:]
    return pieces[2::2]


@pytest.fixture(scope="module")
def screens(terminal_demo) -> dict[tuple[int, tuple[str, ...]], tuple[list[list[str]], list[str]]]:
    """For each (width, view): the screen's lines as cells, and the raw lines as printed."""
    runs = [(width, ["--data-dir", str(terminal_demo.root), *view]) for width in WIDTHS for view in VIEWS]
    found = {}
    for (width, args), text in zip(runs, in_terminal(runs), strict=True):
        screen = pyte.Screen(width, ROWS)
        pyte.Stream(screen).feed(text)
        lines = [[screen.buffer[y][x].data for x in range(width)] for y in range(ROWS)]
        found[width, tuple(args[2:])] = (lines, [ESCAPE.sub("", line) for line in text.split("\r\n")])
    return found


RULE = re.compile(r"-+( +-+)*")
"""The dashes under a table's header in `plain` output, one run per column."""


def tables(plain: str):
    """Each table of `plain` output: its column titles and its rows, each row a list of cell
    texts (one per column, cut at the columns' spans, CJK counted by display width)."""
    lines = plain.splitlines()
    for number, line in enumerate(lines):
        if not number or not RULE.fullmatch(line):
            continue
        spans = [match.span() for match in re.finditer(r"-+", line)]
        header = cells(lines[number - 1])
        rows = []
        for row in lines[number + 1:]:
            if not row.strip() or RULE.fullmatch(row):
                break
            row_cells = cells(row)
            rows.append(["".join(row_cells[start:end]).strip() for start, end in spans])
        yield ["".join(header[start:end]).strip() for start, end in spans], rows


def whole_cells(plain: str) -> list[str]:
    """The texts of the cells in `plain` output that must show whole (see WHOLE)."""
    wanted = []
    for headers, rows in tables(plain):
        keep = [i for i, name in enumerate(headers) if name in WHOLE or (i == 0 and name != "id")]
        wanted += [row[i] for row in rows for i in keep]
    return [text for text in wanted if text]


def shown(screen: list[list[str]], text: str) -> bool:
    """Whether `text` is on the screen, whole or wrapped within its cell: each further part
    starting in the same column on the next line (a break at a space drops that space)."""
    wanted = cells(text)

    def from_here(y: int, x: int, rest: list[str]) -> bool:
        if y >= len(screen):
            return False
        line = screen[y]
        size = 0
        while size < len(rest) and x + size < len(line) and line[x + size] == rest[size]:
            size += 1
        if size == len(rest):
            return True
        for cut in range(size, 0, -1):
            ends = x + cut >= len(line) or line[x + cut] == " "
            if ends and rest[cut] != "" and from_here(y + 1, x, _strip(rest[cut:])):
                return True
        return False

    return any(from_here(y, x, wanted) for y, line in enumerate(screen) for x, cell in enumerate(line)
               if cell == wanted[0])


def _strip(rest: list[str]) -> list[str]:
    while rest and rest[0] == " ":
        rest = rest[1:]
    return rest


@pytest.fixture(scope="module")
def plain(terminal_demo):
    """The plain output of a view (the same at every width), made once."""
    return functools.cache(lambda view: terminal_demo("--format", "plain", *view))


@pytest.mark.parametrize("view", VIEWS, ids=" ".join)
@pytest.mark.parametrize("width", WIDTHS)
def test_names_summaries_and_amounts_show_whole(screens, plain, width, view):
    piped = plain(view)
    assert piped.code == 0, piped.err
    expected = whole_cells(piped.out)
    assert expected, piped.out
    screen, printed = screens[width, view]
    text = "\n".join("".join(line).rstrip() for line in screen).rstrip()
    missing = [cell for cell in dict.fromkeys(expected) if not shown(screen, cell)]
    assert not missing, f"not shown whole at {width} columns: {missing}\n{text}"
    assert text.count("…") <= piped.out.count("…"), text  # a search snippet may elide, as in plain
    too_wide = [line for line in printed if sum(max(wcwidth(c), 0) for c in line) > width]
    assert not too_wide, too_wide


def column_texts(plain: str, name: str, beside: str) -> list[str]:
    """The cells of the columns headed `name` in `plain` output, in every table of it that
    has a column headed `beside` too."""
    found = []
    for headers, rows in tables(plain):
        if beside in headers:
            found += [row[i] for row in rows for i, title in enumerate(headers) if title == name]
    return [text for text in found if text]


@pytest.mark.parametrize("width", WIDTHS)
def test_today_keeps_the_ids_to_act_on(screens, plain, width):
    """`crm done ID` needs the id: at any width each thing to do in `today` shows it, or a
    prefix of it (at least four characters) that `crm done` takes as unique."""
    ids = column_texts(plain(("today",)).out, "id", beside="reason")
    assert len(ids) > 20
    screen, _printed = screens[width, ("today",)]
    words = {word for line in screen for word in "".join(line).split()}
    missing = [ident for ident in ids if not any(len(w) >= 4 and ident.startswith(w) for w in words)]
    assert not missing, f"ids not shown at {width} columns: {missing}"


def screen_text(screens, width: int, view: tuple[str, ...]) -> list[str]:
    return ["".join(line) for line in screens[width, view][0]]


@pytest.mark.parametrize("width", WIDTHS)
def test_chinese_names_are_not_wrapped_mid_name(screens, plain, width):
    """The party column grows to hold a company's name whole (深圳市华强电子有限公司, not
    深圳市华强电子有限公 / 司) before the long reasons are given the room, and the `when`
    column (LOW) goes rather than the name wrap."""
    names = {name for name in column_texts(plain(("today",)).out, "party", beside="reason") if has_wide(name)}
    assert len(names) > 5
    lines = screen_text(screens, width, ("today",))
    cut = [name for name in sorted(names) if not any("".join(cells(name)) in line for line in lines)]
    assert not cut, cut


@pytest.mark.parametrize("width", WIDTHS)
def test_deal_stages_and_ids_show_whole_words(screens, plain, width):
    """A stage is one fixed word (qualification, needs-analysis): never `qualificatio / n`;
    the deal's id, which `crm deal show` takes, is never dropped."""
    stages = column_texts(plain(("deal", "list")).out, "stage", beside="title")
    ids = column_texts(plain(("deal", "list")).out, "id", beside="title")
    lines = screen_text(screens, width, ("deal", "list"))
    words = {word for line in lines for word in line.split()}
    assert "id" in words
    if "stage" in words:
        assert set(stages) <= words, sorted(set(stages) - words)
    assert all(any(len(word) >= 4 and ident.startswith(word) for word in words) for ident in ids)


def test_ids_cut_short_in_today_each_name_its_record(screens, plain, terminal_demo, demo):
    """Every id the narrow `today` shows, typed back, names the one record it stands for (`crm done IN-…`, `crm show <party>`, any record by id)."""
    from crmcli import open_repo
    from crmcli.query.resolve import resolve_record

    ids = column_texts(plain(("today",)).out, "id", beside="reason")
    words = {word for line in screen_text(screens, 80, ("today",)) for word in line.split()}
    shown = {ident: max((w for w in words if len(w) >= 4 and ident.startswith(w)), key=len) for ident in ids}
    cut = {ident: prefix for ident, prefix in shown.items() if prefix != ident}
    assert cut
    repo = open_repo(terminal_demo.root)
    for ident, prefix in shown.items():
        assert resolve_record(repo, None, prefix).id == ident, prefix
    party = next(prefix for ident, prefix in cut.items() if "-" in ident and not ident[:3].rstrip("-").isupper())
    assert demo("show", party, "--format", "json").code == 0
    step = next(prefix for prefix in cut.values() if prefix.startswith("IN-"))
    assert demo("done", step).err.startswith("done: ")


OVERDUE = """id: IN-20261001-{number:04d}
party: customers/huaqiang-dianzi
type: call
direction: out
at: 2026-10-01T10:00:00+08:00
summary: call {number}
next:
  action: overdue step {number}
  due: 2026-11-{day:02d}
created: 2026-10-01T10:00:00+08:00
updated: 2026-10-01T10:00:00+08:00
"""


def test_a_large_table_keeps_its_row_colours_in_a_terminal(tmp_path, indexed_demo):
    """150 overdue things to do are drawn as plain lines (not by rich, which takes seconds),
    yet each overdue row is red as in a small table; NO_COLOR=1 takes the colours away."""
    root = tmp_path / "demo"
    shutil.copytree(indexed_demo[0], root)
    folder = root / "interactions" / "2026" / "10"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(150):
        (folder / f"IN-20261001-{number:04d}.yaml").write_text(OVERDUE.format(number=number, day=1 + number % 20),
                                                               encoding="utf-8")
    runs = [(80, ["--data-dir", str(root), "today"])]
    coloured, = in_terminal(runs)
    rows = [line for line in coloured.split("\r\n") if "overdue step" in line]
    assert len(rows) == 150
    assert all("\x1b[31m" in line for line in rows), rows[:3]
    plain_rows, = in_terminal(runs, NO_COLOR="1")
    assert "overdue step 149" in plain_rows and not re.search(r"\x1b\[[0-9;]*3[0-9]m", plain_rows)
