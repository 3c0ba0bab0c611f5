"""Reports written to files by extension, and the terminal bar chart."""

import csv
import json

import pytest
from openpyxl import load_workbook


def test_xlsx_has_a_sheet_per_currency_with_numbers(demo, tmp_path):
    target = tmp_path / "receivables.xlsx"
    result = demo("report", "receivables", "--output", target)
    assert result.code == 0 and result.out == "" and "wrote" in result.err
    book = load_workbook(target)
    first = book.worksheets[0]
    assert [cell.value for cell in first[1]][:2] == ["party", "current"]
    assert all(isinstance(row[-1], (int, float)) for row in first.iter_rows(min_row=2, values_only=True))
    assert first["G2"].number_format == "#,##0.00"
    assert len(book.sheetnames) == len(demo("report", "receivables", "--format", "json").json())


@pytest.mark.parametrize("suffix, check", [
    (".csv", lambda text: list(csv.reader(text.splitlines()))[1][:2] == ["owner", "month"]),
    (".json", lambda text: "currencies" in json.loads(text)),
    (".md", lambda text: text.startswith("## Sales ledger")),
])
def test_other_file_formats(demo, tmp_path, suffix, check):
    target = tmp_path / f"ledger{suffix}"
    assert demo("ledger", "--by", "owner,month", "--output", target).code == 0
    assert check(target.read_text(encoding="utf-8"))


def test_an_unknown_extension_is_refused(demo, tmp_path):
    result = demo("ledger", "--output", tmp_path / "ledger.pdf")
    assert result.code == 1 and ".xlsx" in result.err and not (tmp_path / "ledger.pdf").exists()


def test_chart_draws_bars_scaled_to_the_largest(demo):
    out = demo("ledger", "--by", "month", "--period", "2026", "--chart", "--format", "plain").out
    chart = out.split("\n\n")[0].splitlines()
    assert chart[0] == "Sales ledger · 2026 · CNY — net"
    bars = [line.split("  ")[1].rstrip() for line in chart[1:]]
    assert max(len(bar) for bar in bars) == 40
    assert "orders" in out  # the table follows the chart


@pytest.mark.parametrize("report", ["targets", "service", "segments", "forecast", "receivables", "pipeline"])
def test_chart_draws_every_report_with_a_series(demo, report):
    out = demo("report", report, "--chart", "--format", "plain").out
    chart = out.split("\n\n")[0]
    assert "█" in chart, out


def test_chart_labels_line_up_by_display_width(demo):
    """Chinese names take two cells a character: the bars still start in one column."""
    from wcwidth import wcswidth

    out = demo("report", "receivables", "--chart", "--format", "plain").out
    lines = out.split("\n\n")[0].splitlines()[1:]
    assert any(wcswidth(line) != len(line) for line in lines)
    starts = {wcswidth(line[:line.index("█")]) for line in lines if "█" in line}
    assert len(starts) == 1, lines


def test_chart_never_puts_two_currencies_on_one_scale(demo):
    """Targets in EUR and CNY: each currency's largest target gets the full bar."""
    lines = demo("report", "targets", "--chart", "--format", "plain").out.split("\n\n")[0].splitlines()[1:]
    full = "█" * 40
    assert [line.endswith("CNY") for line in lines if full in line].count(True) == 1
    assert [line.endswith("EUR") for line in lines if full in line].count(True) == 1
    assert all(line.split()[1] in ("2026", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4") for line in lines), lines


def test_amounts_show_in_the_currency_minor_units(empty):
    """A price typed as 1250 or 1250.0 reads 1,250.00 (CNY has two minor units), in the list and
    the product view; a finer unit price keeps its digits."""
    assert empty("product", "add", "CAB-07", "Cable reel", "--price", "1250.0").code == 0
    assert empty("product", "add", "PIN-01", "Pin", "--price", "0.125").code == 0
    listed = empty("product", "list", "--format", "plain").out
    assert "1,250.00" in listed and "0.125" in listed and "1,250.0 " not in listed
    assert "1,250.00 CNY" in empty("product", "show", "CAB-07", "--format", "plain").out
