"""crm export csv|json|jsonl|xlsx: the records, the formula guard, redaction, and the way back in."""

import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from crmcli.store import codec

NASTY = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


@pytest.fixture
def nasty(empty):
    """A customer whose text fields start like spreadsheet formulas."""
    result = empty("customer", "add", "Nasty Co", "--industry", NASTY[0], "--note", NASTY[1], "--tag", "safe",
                   "--phone", "+86 755 1234 5678")
    assert result.code == 0, result.err
    for value in NASTY[2:]:
        assert empty("contact", "add", "nasty", f"person {len(value)}{value.strip()}", f"--title={value}").code == 0
    return empty


def test_csv_export_neutralises_formulas(nasty):
    result = nasty("export", "csv", "customer")
    assert result.code == 0, result.err
    row = next(csv.DictReader(io.StringIO(result.out)))
    assert row["industry"] == "'" + NASTY[0] and row["notes"] == "'" + NASTY[1]
    assert row["phones"] == "'+86 755 1234 5678"
    assert [row[f"contacts[{i}].title"] for i in range(4)] == ["'" + value for value in NASTY[2:]]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values() if cell)
    raw = next(csv.DictReader(io.StringIO(nasty("export", "csv", "customer", "--raw").out)))
    assert raw["industry"] == NASTY[0] and raw["contacts[0].title"] == "-2+3"


def test_listings_in_csv_are_guarded_too(nasty):
    rows = list(csv.reader(io.StringIO(nasty("contact", "list", "nasty", "--format", "csv").out)))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'-2+3" in cells and "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_xlsx_export_writes_formulas_as_text(nasty, tmp_path):
    result = nasty("export", "xlsx", "customer", tmp_path / "out.xlsx")
    assert result.code == 0, result.err
    sheet = load_workbook(tmp_path / "out.xlsx").active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("industry") + 1)
    assert cell.value == NASTY[0] and cell.data_type == "s"
    assert nasty("export", "xlsx", "customer", "--raw", "--output", tmp_path / "raw.xlsx").code == 0
    raw = load_workbook(tmp_path / "raw.xlsx").active
    assert raw.cell(row=2, column=header.index("industry") + 1).data_type == "f"
    assert nasty("export", "xlsx", "customer").err.strip().startswith("crm: crm export xlsx needs a file")


def test_json_and_jsonl_carry_the_records_as_stored(demo):
    records = demo("export", "json", "customer", "tag:vip").json()
    assert {r["id"] for r in records} >= {"huaqiang-dianzi"}
    assert records[0] == demo.read(f"customers/{records[0]['id']}.yaml")
    lines = demo("export", "jsonl", "order", "party:huaqiang").out.splitlines()
    assert lines and all(json.loads(line)["kind"] == "sale" for line in lines)
    purchases = demo("export", "json", "purchase").json()
    assert purchases and {p["kind"] for p in purchases} == {"purchase"}


def test_redact_masks_phones_emails_and_handles(demo, tmp_path):
    target = tmp_path / "shared.json"
    assert demo("export", "json", "customer", "huaqiang", "--redact", "--output", target).code == 0
    (record,) = json.loads(target.read_text())
    assert record["phones"] == ["+** *** **** 6600"] and record["emails"] == ["p***@huaqiang.example"]
    assert record["contacts"][0]["phones"] == ["+** *** **** 7730"]
    assert record["contacts"][0]["wechat"] == "********_**"
    assert "zhangwei" not in target.read_text()
    assert record["name"] == "深圳市华强电子有限公司"
    before = demo("export", "--redact", "csv", "customer", "huaqiang").out
    assert "+** *** **** 6600" in before and "purchasing@" not in before


def test_redact_masks_phones_emails_and_ids_in_free_text_and_dates_of_birth(demo, tmp_path):
    note = ("Call Zhang on +86 138 2651 7730 or zhang.wei@huaqiang.example before 2026-12-04; "
            "ID 11010119800101123X, account 6222 0212 3456 7890; 40 reels, room 1015.")
    assert demo("customer", "edit", "huaqiang", "--set", f"notes={note}").code == 0
    target = tmp_path / "shared.json"
    assert demo("export", "json", "customer", "huaqiang", "--redact", "--output", target).code == 0
    (record,) = json.loads(target.read_text())
    assert record["notes"] == ("Call Zhang on +** *** **** 7730 or z***@huaqiang.example before 2026-12-04; "
                               "ID **************123X, account **** **** **** 7890; 40 reels, room 1015.")
    assert record["contacts"][0]["birthday"] == "****"
    assert "1985-11-25" not in target.read_text()
    csv_text = demo("export", "--redact", "csv", "customer", "huaqiang").out
    assert "2651 7730" not in csv_text and "zhang.wei@" not in csv_text


def test_csv_round_trip_without_a_mapping(demo, empty, tmp_path):
    """What crm export csv writes, crm import csv reads back: the same customers."""
    exported = tmp_path / "customers.csv"
    assert demo("export", "csv", "customer", "--output", exported).code == 0
    result = empty("--format", "json", "import", "csv", exported, "--kind", "customer")
    assert result.code == 0, result.err
    assert result.json()["create"] == len(demo.files("customers"))
    for path in demo.files("customers"):
        original = codec.decode(path.read_bytes())
        copy = empty.read(f"customers/{path.name}")
        for record in (original, copy):
            record.pop("updated")
            if not record.get("tags"):
                record.pop("tags", None)
            if isinstance(record.get("notes"), str):
                record["notes"] = record["notes"].rstrip("\n")
        assert copy == original


def test_contacts_export(demo):
    rows = list(csv.DictReader(io.StringIO(demo("export", "csv", "contact", "city:深圳").out)))
    assert {"party", "party_name", "name", "title"} <= set(rows[0])
    assert ("customers/huaqiang-dianzi", "张伟") in {(row["party"], row["name"]) for row in rows}


def test_an_xlsx_sheet_written_by_openpyxl(empty, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Kunden"
    other = book.create_sheet("Lieferanten")
    other.append(["Firma"])
    sheet.append(["Firma", "Umsatz", "Seit", "Telefon", "Land"])
    sheet.append(["Müller Elektrotechnik GmbH", 12500.5, "2024-02-01", "+49 89 1234", "Germany"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Kühne AG", 300, None, None, "CH"])
    book.save(tmp_path / "kunden.xlsx")
    result = empty("import", "xlsx", tmp_path / "kunden.xlsx", "--kind", "customer", "--sheet", "Kunden",
                   "--map", "Firma=name,Umsatz=custom.revenue,Telefon=phones[0],Land=addresses[0].country")
    assert result.code == 0, result.err
    muller = empty.read("customers/muller-elektrotechnik.yaml")
    assert muller["custom"] == {"revenue": "12500.5"} and muller["addresses"] == [{"country": "DE"}]
    assert empty.read("customers/kuhne.yaml")["addresses"] == [{"country": "CH"}]
    missing = empty("import", "xlsx", tmp_path / "kunden.xlsx", "--kind", "customer", "--sheet", "Nope",
                    "--map", "Firma=name")
    assert missing.err.strip() == "crm: kunden.xlsx: no sheet 'Nope' (it has: Kunden, Lieferanten)"


def test_xlsx_round_trip(demo, empty, tmp_path):
    assert demo("export", "xlsx", "supplier", tmp_path / "suppliers.xlsx").code == 0
    result = empty("--format", "json", "import", "xlsx", tmp_path / "suppliers.xlsx", "--kind", "supplier")
    assert result.code == 0, result.err
    assert result.json()["create"] == len(demo.files("suppliers"))
    supplier = "suppliers/jinglian-xianlan.yaml"
    assert empty.read(supplier)["contacts"] == demo.read(supplier)["contacts"]


def test_reports_write_xlsx(demo, tmp_path):
    target = tmp_path / "ledger.xlsx"
    assert demo("ledger", "--by", "owner", "--output", target).code == 0
    sheet = load_workbook(target).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "owner" and sheet.cell(row=1, column=1).font.bold


def test_excel_csv_starts_with_a_byte_order_mark_and_reads_back_in_a_spreadsheet(demo, tmp_path):
    """Excel reads a CSV without a BOM in the system's code page: 深圳 turned into mojibake."""
    import shutil
    import subprocess

    target = tmp_path / "customers.csv"
    assert demo("export", "csv", "customer", "--excel", "--output", target).code == 0
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert "深圳市华强电子有限公司" in {row["name"] for row in rows} and "\ufeff" not in "".join(rows[0])
    stdout = demo("export", "csv", "customer", "--excel").out
    assert stdout.startswith("\ufeffid,") and stdout.count("\ufeff") == 1
    assert demo("export", "csv", "customer").out.startswith("id,")
    assert demo("export", "json", "customer", "--excel").err.strip() == "crm: --excel applies to csv only"
    if shutil.which("ssconvert") is None:
        pytest.skip("Gnumeric's ssconvert is not installed (.ci/run installs the Debian package gnumeric)")
    read = tmp_path / "as-gnumeric-read-it.csv"  # Gnumeric guesses the encoding from the BOM
    subprocess.run(["ssconvert", "--import-type=Gnumeric_stf:stf_csvtab", target, read], check=True,
                   capture_output=True, timeout=120)
    names = [row["name"] for row in csv.DictReader(read.open(encoding="utf-8"))]
    assert "深圳市华强电子有限公司" in names
