"""XLSX both ways with real readers: openpyxl's cell types, and Gnumeric's `ssconvert` (from
Debian, installed by .ci/run) printing the sheet as a spreadsheet shows it."""

import csv
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook


@pytest.fixture
def yen_and_yuan(empty):
    """A JPY and a CNY order, and a delivered one, so dates, moments and both kinds of amounts are there."""
    assert empty("customer", "add", "Tanaka Denki").code == 0
    assert empty("customer", "add", "华强电子").code == 0
    for party, line, currency in (("tanaka-denki", "Cable reel 10 @ 1000", "JPY"),
                                  ("huaqiang-dianzi", "Cable reel 3 @ 1250.50", "CNY")):
        result = empty("order", "add", party, "--line", line, "--currency", currency, "--date", "2026-11-20",
                       "--status", "confirmed")
        assert result.code == 0, result.err
    return empty


def exported(data, tmp_path):
    target = tmp_path / "orders.xlsx"
    assert data("export", "xlsx", "orders", target).code == 0
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    by_currency = {row[headers.index("currency")].value: dict(zip(headers, row, strict=False)) for row in rows[1:]}
    return target, by_currency


def test_dates_moments_and_amounts_are_typed_cells(yen_and_yuan, tmp_path):
    """Dates were text to every spreadsheet, and amounts had two decimals whatever the currency."""
    _target, orders = exported(yen_and_yuan, tmp_path)
    yen, yuan = orders["JPY"], orders["CNY"]
    assert yen["date"].value == datetime(2026, 11, 20) and yen["date"].is_date
    assert yen["date"].number_format == "yyyy-mm-dd"
    assert isinstance(yen["created"].value, datetime) and yen["created"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert yen["created"].value.date() == date(2026, 11, 22)  # the wall time where it was recorded
    assert (yen["totals.net"].value, yen["totals.net"].number_format) == (10000, "#,##0")
    assert (Decimal(str(yuan["totals.net"].value)), yuan["totals.net"].number_format) == (Decimal("3751.5"),
                                                                                           "#,##0.00")
    assert yen["party"].value == "customers/tanaka-denki" and yen["currency"].data_type == "s"


def ssconvert() -> str:
    program = shutil.which("ssconvert")
    if program is None:
        pytest.skip("Gnumeric's ssconvert is not installed (.ci/run installs the Debian package gnumeric)")
    return program


def test_gnumeric_shows_real_dates_and_each_currencys_decimals(yen_and_yuan, tmp_path):
    target, _orders = exported(yen_and_yuan, tmp_path)
    shown = tmp_path / "orders.csv"
    # format=preserve: the cells as Gnumeric displays them, through their number formats.
    subprocess.run([ssconvert(), "--export-type=Gnumeric_stf:stf_assistant", "-O", "separator=, format=preserve",
                    target, shown], check=True, capture_output=True, timeout=120)
    rows = list(csv.DictReader(shown.open(encoding="utf-8")))
    by_currency = {row["currency"]: row for row in rows}
    assert by_currency["JPY"]["totals.net"] == "10,000" and by_currency["CNY"]["totals.net"] == "3,751.50"
    assert by_currency["JPY"]["date"] == "2026-11-20"
    assert datetime.strptime(by_currency["CNY"]["created"], "%Y-%m-%d %H:%M:%S").date() == date(2026, 11, 22)
    raw = tmp_path / "raw.csv"  # its values: a date is a serial day number, so it must be a real date
    subprocess.run([ssconvert(), target, raw], check=True, capture_output=True, timeout=120)
    assert {row["date"] for row in csv.DictReader(raw.open(encoding="utf-8"))} == {"2026/11/20"}


def titled_sheet(path, titles: list[list]) -> None:
    """A sheet as people make them: title rows (merged across the table) above the header."""
    book = Workbook()
    sheet = book.active
    for row in titles:
        sheet.append(row)
    if titles and titles[0][0]:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    sheet.append(["name", "phones", "industry"])
    sheet.append(["深圳市华强电子有限公司", "+86 755 8321 6600", "electronics"])
    sheet.append(["Müller Elektrotechnik GmbH", "+49 89 5432 1800", None])
    book.save(path)


def test_the_header_row_is_found_under_merged_title_rows(empty, tmp_path):
    """A merged title row above the header could not be imported at all."""
    titled_sheet(tmp_path / "kunden.xlsx", [["客户名单 2026", None, None], [None, None, None]])
    result = empty("--format", "json", "import", "xlsx", tmp_path / "kunden.xlsx", "--kind", "customer")
    assert result.code == 0, result.err
    assert result.json()["create"] == 2
    assert empty.read("customers/huaqiang-dianzi.yaml")["phones"] == ["+86 755 8321 6600"]


def test_header_row_names_it_when_titles_fill_several_cells(empty, tmp_path):
    titled_sheet(tmp_path / "report.xlsx", [["Exported by", "ERP 7.2", "2026-11-20"]])
    result = empty("import", "xlsx", tmp_path / "report.xlsx", "--kind", "customer", "--header-row", "2",
                   "--dry-run", "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["create"] == 2
    too_far = empty("import", "xlsx", tmp_path / "report.xlsx", "--kind", "customer", "--header-row", "40")
    assert too_far.code == 1 and too_far.err.strip() == "crm: report.xlsx: --header-row 40: the sheet 'Sheet' has 4 rows"
