"""Hostile text in records (issue 10, item 3): rich markup and terminal escape sequences in
names, notes and file names print literally and harmlessly in every format.

"Literally" means the characters of the markup are shown, never interpreted by rich;
"harmlessly" means no control character reaches the output raw (escape sequences are shown
as `\\x1b`, JSON escapes them its own way), no cell of a spreadsheet becomes a formula, and
no markdown table is broken by a `|` in a name.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

MARKUP = "[red]x[/] [link=file:///etc/passwd]click[/link] [bold]B[/bold]"
ESCAPES = "\x1b[31mRED\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x9b31m \x07bell \x08\x08bs \u202eevil"
NAME = f"{MARKUP} {ESCAPES} | pipe *star* _under_ <b>html</b> =1+1"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMATS = ["table", "plain", "markdown", "csv", "json", "jsonl"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The demo with a customer, a contact, a note, an interaction and a file name full of markup
    and escape sequences, as a hand edit or a pull from a hostile remote would leave them."""
    import shutil

    from conftest import DEMO, DataDir, run_crm

    root = tmp_path_factory.mktemp("hostile-text") / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".crm"))
    data = DataDir(root)
    escaped = json.dumps(NAME)
    (root / "customers" / "hostile.yaml").write_text(
        f"id: hostile\nname: {escaped}\nindustry: {escaped}\ntags: [vip]\nowner: li\n"
        f"contacts:\n  - name: {escaped}\n    title: {escaped}\nnotes: {escaped}\n"
        "created: 2026-01-01T00:00:00+08:00\nupdated: 2026-01-01T00:00:00+08:00\n", encoding="utf-8")
    (root / "customers" / "\x1b[2Jwiped\x07.yaml").write_text("id: [broken\n", encoding="utf-8")
    assert run_crm("--data-dir", root, "log", "hostile", "call", NAME, "--next", NAME, "--due", "today").code == 0
    assert run_crm("--data-dir", root, "order", "add", "hostile", "--line", f"{NAME} 1 @ 100",
                   "--status", "confirmed", "--date", "2026-10-01", "--payment-due", "2026-11-01").code == 0
    return data


COMMANDS = [["customer", "list"], ["customer", "show", "hostile"], ["search", "pipe"], ["timeline"], ["today"],
            ["contact", "list", "hostile"], ["ledger", "--by", "customer"], ["order", "list"], ["remind", "due"],
            ["report", "receivables"], ["check"]]


def texts(value):
    """Every text in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_markup_and_escapes_print_literally_and_harmlessly(hostile, args, fmt):
    if args == ["remind", "due"] and fmt == "csv":
        fmt = "ics"  # the digest's formats: table, plain, markdown, json, jsonl, ics
    result = hostile(*args, "--format", fmt) if args[0] != "check" else hostile("--format", fmt, *args)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    for stream in (result.out.replace("\r\n", "\n") if fmt in ("ics", "csv") else result.out, result.err):
        assert not RAW_CONTROL.search(stream), (fmt, RAW_CONTROL.findall(stream), stream[-1500:])
    if args[0] in ("check", "remind"):
        return
    if fmt in ("json", "jsonl"):
        lines = result.out.splitlines() if fmt == "jsonl" else [result.out]
        payloads = [json.loads(line) for line in lines]
        assert any(NAME in text for text in texts(payloads)), "the name is not in the JSON as it is"
    elif fmt == "csv":
        cells = [cell for row in csv.reader(io.StringIO(result.out)) for cell in row]
        assert any(MARKUP in cell and "\\x1b[31mRED" in cell for cell in cells), cells
    elif fmt == "markdown":
        assert "\\[red\\]x\\[/\\]" in result.out and "\\|" in result.out, result.out
        for table in re.split(r"\n(?!\|)", result.out):  # each run of lines starting with |
            columns = {line.count("|") - line.count("\\|") for line in table.splitlines() if line.startswith("|")}
            assert len(columns) <= 1, ("a | in a name broke a table", table)
    else:  # a table may wrap the name anywhere
        flat = re.sub(r"\s+", "", result.out)
        assert all(piece in flat for piece in ("[red]x[/]", "[bold]B[/bold]", "\\x1b[31mRED")), result.out


def test_check_names_a_file_with_escapes_in_its_name_harmlessly(hostile):
    result = hostile("check")
    assert result.code == 1
    assert "customers/\\x1b[2Jwiped\\x07.yaml" in result.out, result.out
    assert not RAW_CONTROL.search(result.out + result.err)


def test_on_a_terminal_rich_interprets_none_of_it(hostile):
    """Rendered for a terminal (colours on), the markup is shown as typed and no escape sequence
    of the data (no hyperlink, no bell, no clear screen) reaches it: only rich's own colours."""
    from crmcli import open_repo
    from crmcli.model.kinds import KINDS
    from crmcli.render import render
    from crmcli.reports.party_list import party_list

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    repo = open_repo(hostile.root)
    stream = Terminal()
    render(party_list(repo, KINDS["customer"]), "table", stream)
    text = stream.getvalue()
    assert "[red]x[/]" in text and "[link=file:///etc/passwd]" in text and "\\x1b]8;;http://evil" in text, text
    assert "\x1b]" not in text and "\x07" not in text and "\x9b" not in text
    assert set(re.findall(r"\x1b\[[0-9;]*m", text)) and not re.findall(r"\x1b\[(?![0-9;]*m)", text)


def test_spreadsheets_get_text_not_formulas_or_control_characters(hostile, tmp_path):
    target = tmp_path / "customers.xlsx"
    result = hostile("ledger", "--by", "customer", "--output", target)
    assert result.code == 0, result.err
    cells = [cell for row in load_workbook(target).worksheets[0].iter_rows() for cell in row]
    named = [cell for cell in cells if isinstance(cell.value, str) and MARKUP in cell.value]
    assert named, [cell.value for cell in cells]
    assert all(cell.data_type == "s" for cell in named)
    assert not any(isinstance(c.value, str) and RAW_CONTROL.search(c.value) for c in cells)
    formula = tmp_path / "formula.xlsx"
    assert hostile("customer", "edit", "hostile", "--set", "name==HYPERLINK(\"http://evil.example\",\"x\")").code == 0
    try:
        assert hostile("ledger", "--by", "customer", "--output", formula).code == 0
        sheet = load_workbook(formula).worksheets[0]
        values = {cell.value: cell.data_type for row in sheet.iter_rows() for cell in row}
        assert values.get('=HYPERLINK("http://evil.example","x")') == "s", values
    finally:
        assert hostile("customer", "edit", "hostile", "--set", f"name={NAME}").code == 0


def test_html_mail_digests_escape_names():
    from crmcli.model.views import Column, Table
    from crmcli.render import render

    stream = io.StringIO()
    render(Table([Column("name", "name")], [{"name": "<script>alert(1)</script> & [red]x[/]"}]), "html", stream)
    assert "<script>" not in stream.getvalue() and "&lt;script&gt;" in stream.getvalue()


def test_html_titles_and_empty_notes_are_escaped_too():
    """Headings and the "nothing to show" note are written by us, not by tabulate, which only
    escapes cells: they must be escaped before they go into the mail's HTML."""
    from crmcli.model.views import Column, Table
    from crmcli.render import render

    stream = io.StringIO()
    render(Table([Column("name", "name")], [], title="<script>x</script> & co", empty="<i>none</i>"), "html", stream)
    assert stream.getvalue() == "<h3>&lt;script&gt;x&lt;/script&gt; &amp; co</h3>\n<p>(&lt;i&gt;none&lt;/i&gt;)</p>\n"


def test_a_mail_subject_stays_one_harmless_header():
    from crmcli.reminders.mail import message

    mail = message("crm@example.com", ["li@example.com"], "Due\r\nBcc: victim@example.com \x1b[31mred", "t", "<p>h</p>")
    assert mail["Subject"] == "Due Bcc: victim@example.com \\x1b[31mred" and mail["Bcc"] is None
