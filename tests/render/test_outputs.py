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
