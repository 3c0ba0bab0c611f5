"""crm import csv: mappings, encodings, the dry run, duplicates, all or nothing, re-import."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

GBK_MAPPING = """\
columns:
  客户名称: name
  联系人: contacts[0].name
  职务: contacts[0].title
  手机: contacts[0].phones[0]
  邮箱: contacts[0].emails[0]
  城市: addresses[0].city
  状态: {field: lifecycle, values: {活跃: customer, 潜在: prospect}}
  标签: {field: tags, split: ";"}
  首次合作: {field: custom.since, format: "%Y/%m/%d"}
set:
  addresses[0].country: CN
  region: 华南
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def record_files(data) -> set[str]:
    return {str(p.relative_to(data.root)) for p in data.root.rglob("*.yaml") if ".crm" not in p.parts}


def test_a_gbk_file_as_chinese_excel_saves_it(empty, tmp_path):
    mapping = write(tmp_path / "map.yaml", GBK_MAPPING)
    result = empty("--format", "json", "import", "csv", FIXTURES / "customers-gbk.csv", "--kind", "customer",
                   "--map", mapping)
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["encoding"] == "gb18030" and summary["create"] == 3 and summary["rejected"] == 0
    huaqiang = empty.read("customers/huaqiang-dianzi.yaml")
    assert huaqiang["name"] == "深圳市华强电子有限公司" and huaqiang["lifecycle"] == "customer"
    assert huaqiang["tags"] == ["vip", "线缆"] and huaqiang["region"] == "华南"
    assert huaqiang["contacts"] == [{"name": "张伟", "title": "采购经理", "phones": ["138 2651 7730"],
                                     "emails": ["zhangwei@huaqiang.example"]}]
    assert huaqiang["addresses"] == [{"city": "深圳", "country": "CN"}]
    assert huaqiang["custom"] == {"since": "2024-03-15"}
    assert empty.read("customers/jinglian-xianlan.yaml")["lifecycle"] == "prospect"
    quoted = [p for p in empty.files("customers") if "jiaxin" in p.name][0]
    assert empty.read(str(quoted.relative_to(empty.root)))["name"] == "广州市嘉信汽车配件有限公司,广州分公司"


def test_a_gbk_file_read_as_utf8_is_one_line_with_its_row(empty, tmp_path):
    mapping = write(tmp_path / "map.yaml", GBK_MAPPING)
    result = empty("import", "csv", FIXTURES / "customers-gbk.csv", "--kind", "customer", "--map", mapping,
                   "--encoding", "utf-8")
    assert result.code == 1
    assert result.err.strip() == ("crm: customers-gbk.csv: row 1: cannot be read as utf-8; it looks like gb18030 "
                                  "(try --encoding gb18030)")
    assert not empty.files("customers")


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("latin-1", b""),
                                           ("cp1252", b"")])
def test_encodings_are_detected(empty, tmp_path, encoding, bom):
    text = "Firma;Ort;Telefon\r\nMüller Elektrotechnik GmbH;München;+49 89 1234 5678\r\nKühne Präzision AG;Köln;\r\n"
    path = tmp_path / "firms.csv"
    path.write_bytes(bom + text.encode(encoding))
    result = empty("import", "csv", path, "--kind", "supplier",
                   "--map", "Firma=name,Ort=addresses[0].city,Telefon=phones[0]")
    assert result.code == 0, result.err
    muller = empty.read("suppliers/muller-elektrotechnik.yaml")
    assert muller["name"] == "Müller Elektrotechnik GmbH" and muller["addresses"] == [{"city": "München"}]
    assert muller["phones"] == ["+49 89 1234 5678"]
    assert "phones" not in empty.read("suppliers/kuhne-prazision.yaml")


def test_delimiter_and_header_are_sniffed_or_given(empty, tmp_path):
    tabbed = write(tmp_path / "tabbed.csv", "Acme Corp\tBoston\nBeta Ltd\tParis\n")
    result = empty("import", "csv", tabbed, "--kind", "customer", "--map", "A=name,B=addresses[0].city")
    assert result.code == 0, result.err
    assert empty.read("customers/acme.yaml")["addresses"] == [{"city": "Boston"}]
    piped = write(tmp_path / "piped.csv", "name|city\nGamma GmbH|Berlin\n")
    result = empty("import", "csv", piped, "--kind", "customer", "--delimiter", "|", "--header",
                   "--map", "name=name,city=addresses[0].city")
    assert result.code == 0, result.err
    assert empty.read("customers/gamma.yaml")["addresses"] == [{"city": "Berlin"}]


def test_a_yaml_mapping_joins_translates_and_sets(empty, tmp_path):
    source = write(tmp_path / "leads.csv",
                   "Nr,Firma,Strasse,Hausnr,Status,Seit\n7,Acme,Main St,12,潜在,03.04.2025\n8,Beta,Elm,3,活跃,\n")
    mapping = write(tmp_path / "leads.yaml", """\
source: oldcrm
key: Nr
columns:
  Firma: name
  Status: {field: lifecycle, values: {活跃: customer, 潜在: prospect}}
  Seit: {field: custom.since, format: "%d.%m.%Y"}
join:
  addresses[0].street: {columns: [Strasse, Hausnr], with: " "}
set:
  entity: company
  tags: [imported, leads]
""")
    result = empty("import", "csv", source, "--kind", "customer", "--map", mapping)
    assert result.code == 0, result.err
    acme = empty.read("customers/acme.yaml")
    assert acme["addresses"] == [{"street": "Main St 12"}] and acme["lifecycle"] == "prospect"
    assert acme["tags"] == ["imported", "leads"] and acme["custom"] == {"since": "2025-04-03"}
    assert acme["external_ids"] == {"oldcrm": "7"}


def test_the_dry_run_summarises_and_writes_nothing(empty, tmp_path):
    assert empty("customer", "add", "Acme Corp", "--email", "info@acme.example").code == 0
    before = record_files(empty)
    source = write(tmp_path / "c.csv", "name,email,phone\nACME Corporation,info@acme.example,\nNew One,,\n"
                                       "Bad Phone,,call me\nBeta,,\n")
    result = empty("import", "csv", source, "--kind", "customer", "--map", "name=name,email=emails[0],phone=phones[0]",
                   "--dry-run")
    assert result.code == 1
    assert "to create           2" in result.out and "duplicates skipped  1" in result.out
    assert "rejected            1" in result.out and "dry run: nothing written" in result.out
    assert "row 4  phones[0]: 'call me' is not a phone number" in result.out
    assert "row 2  like customers/acme (same name, email)" in result.out
    assert record_files(empty) == before
    as_json = empty("--format", "json", "import", "csv", source, "--kind", "customer", "--dry-run", "--skip-invalid",
                    "--map", "name=name,email=emails[0],phone=phones[0]")
    assert as_json.code == 0
    assert as_json.json()["rejected_rows"] == [{"where": "row 4",
                                                "reason": "phones[0]: 'call me' is not a phone number"}]


def test_all_or_nothing_unless_skip_invalid(empty, tmp_path):
    source = write(tmp_path / "c.csv", "name,since\nFirst Co,2025-01-02\nSecond Co,2025-13-45\nThird Co,2025-02-03\n")
    args = ["import", "csv", source, "--kind", "customer", "--map", "name=name,since=custom.since"]
    mapping = write(tmp_path / "m.yaml", "columns:\n  name: name\n  since: {field: custom.since, format: '%Y-%m-%d'}\n")
    result = empty("import", "csv", source, "--kind", "customer", "--map", mapping)
    assert result.code == 1
    assert result.err.strip() == ("crm: c.csv: row 3: custom.since: since '2025-13-45' does not match the date format "
                                  "'%Y-%m-%d' (nothing imported; --dry-run lists the rejected rows, --skip-invalid "
                                  "imports the others)")
    assert not empty.files("customers")
    result = empty("import", "csv", source, "--kind", "customer", "--map", mapping, "--skip-invalid")
    assert result.code == 0, result.err
    assert [p.name for p in empty.files("customers")] == ["first.yaml", "third.yaml"]
    assert empty(*args).code == 0  # without a format, any text is taken as it is


@pytest.mark.parametrize("mapping, message", [
    ("Company=name,Phone=phones[0]",
     "crm: --map names column 'Phone', which c.csv does not have (it has: Company, City)"),
    ("Company=nmae", "crm: mapping: unknown field 'nmae'"),
    ("Company", "crm: --map 'Company': write COLUMN=FIELD pairs separated by commas, or name a .yaml file"),
])
def test_a_bad_mapping_is_one_line(empty, tmp_path, mapping, message):
    source = write(tmp_path / "c.csv", "Company,City\nAcme,Boston\n")
    result = empty("import", "csv", source, "--kind", "customer", "--map", mapping)
    assert result.code == 1 and result.err.strip() == message


@pytest.mark.parametrize("name, content, message", [
    ("scan.csv", b"%PDF-1.4\x00\x01\x02binary", "crm: scan.csv: not a CSV file (it holds binary data)"),
    ("book.csv", b"PK\x03\x04rest-of-a-zip",
     "crm: book.csv: this is an XLSX (or other zip) file, not CSV: use crm import xlsx"),
    ("cards.csv", b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n",
     "crm: cards.csv: this is a vCard file, not CSV: use crm import vcard"),
    ("empty.csv", b"", "crm: empty.csv: the file is empty"),
])
def test_a_file_that_is_not_csv_is_refused(empty, tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    result = empty("import", "csv", tmp_path / name, "--kind", "customer", "--map", "A=name")
    assert result.code == 1 and result.err.strip() == message


def test_duplicates_skip_update_or_create(empty, tmp_path):
    assert empty("customer", "add", "深圳市华强电子有限公司", "--phone", "+86 755 8888 0000", "--tag", "vip").code == 0
    source = write(tmp_path / "c.csv", "name,phone,industry\n华强电子,0755 8888 0000,electronics\n")
    args = ["import", "csv", source, "--kind", "customer", "--map", "name=name,phone=phones[0],industry=industry"]
    skipped = empty(*args)
    assert skipped.code == 0 and "like customers/huaqiang-dianzi (same name, phone)" in skipped.out
    assert len(empty.files("customers")) == 1
    assert empty(*args, "--on-duplicate", "update").code == 0
    huaqiang = empty.read("customers/huaqiang-dianzi.yaml")
    assert huaqiang["name"] == "华强电子" and huaqiang["industry"] == "electronics" and huaqiang["tags"] == ["vip"]
    assert huaqiang["phones"] == ["+86 755 8888 0000", "0755 8888 0000"]
    assert empty(*args, "--on-duplicate", "create").code == 0
    assert [p.name for p in empty.files("customers")] == ["huaqiang-dianzi-2.yaml", "huaqiang-dianzi.yaml"]
    assert (empty(*args, "--on-duplicate", "merge").err.strip()
            == "crm: --on-duplicate 'merge': use skip, update, create")


def test_a_second_import_updates_by_the_source_key(empty, tmp_path):
    source = write(tmp_path / "c.csv", "id,name,city\nC1,Acme,Boston\nC2,Beta,Paris\n")
    args = ["--format", "json", "import", "csv", source, "--kind", "customer",
            "--map", "name=name,city=addresses[0].city", "--source", "erp", "--key", "id"]
    assert empty(*args).json()["create"] == 2
    again = empty(*args).json()
    assert (again["create"], again["update"], again["unchanged"]) == (0, 0, 2)
    assert empty("customer", "edit", "acme", "--add-tag", "kept").code == 0
    write(source, "id,name,city\nC1,Acme Renamed,\nC2,Beta,Paris\n")
    third = empty(*args).json()
    assert (third["create"], third["update"], third["unchanged"]) == (0, 1, 1)
    acme = empty.read("customers/acme.yaml")
    assert acme["name"] == "Acme Renamed" and "addresses" not in acme and acme["tags"] == ["kept"]
    assert acme["external_ids"] == {"erp": "C1"}
    assert empty("import", "csv", source, "--kind", "customer", "--map", "name=name", "--key", "id").err.strip() == \
        "crm: a key column (id) needs the name of its system: --source or source: in the mapping"


def test_a_key_twice_in_one_file_is_rejected(empty, tmp_path):
    source = write(tmp_path / "c.csv", "id,name\nC1,Acme\nC1,Acme again\n")
    result = empty("import", "csv", source, "--kind", "customer", "--map", "name=name", "--source", "erp",
                   "--key", "id")
    assert result.code == 1 and "row 3: the key 'C1' came before in this file" in result.err


@pytest.fixture
def catalog(empty, tmp_path):
    """Customers, a supplier and products imported with the source keys of an ERP."""
    customers = write(tmp_path / "customers.csv", "cid,name\nK1,Acme Corp\nK2,华强电子\n")
    assert empty("import", "csv", customers, "--kind", "customer", "--map", "name=name", "--source", "erp",
                 "--key", "cid").code == 0
    suppliers = write(tmp_path / "suppliers.csv", "sid,name\nS1,Jinglian Cable\n")
    assert empty("import", "csv", suppliers, "--kind", "supplier", "--map", "name=name", "--source", "erp",
                 "--key", "sid").code == 0
    products = write(tmp_path / "products.csv", "pid,sku,name,price,tax,supplier\n1,CAB-07,Cable,1250,13%,S1\n"
                                                "2,CONS-DAY,Consulting day,800.00,6%,\n")
    result = empty("import", "csv", products, "--kind", "product", "--source", "erp", "--key", "pid",
                   "--map", "sku=id,name=name,price=price,tax=tax_rate,supplier=supplier")
    assert result.code == 0, result.err
    return empty


def test_products_take_the_catalog_rules(catalog):
    cable = catalog.read("products/CAB-07.yaml")
    assert cable["price"] == Decimal("1250") and cable["tax_rate"] == Decimal("0.13")
    assert cable["supplier"] == "suppliers/jinglian-cable" and cable["external_ids"] == {"erp": "1"}


def test_orders_from_a_header_file_and_a_lines_file(catalog, tmp_path):
    orders = write(tmp_path / "orders.csv", "no,customer,day,state\n100,K1,2026-10-01,confirmed\n101,K2,2026-10-05,\n")
    lines = write(tmp_path / "lines.csv", "order,item,qty,price,disc\n100,1,40,1250.00,0.03\n100,2,2,,\n101,2,1,900,\n")
    mapping = write(tmp_path / "orders.yaml", """\
source: erp
key: no
columns:
  customer: party
  day: date
  state: {field: status, values: {"": draft, confirmed: confirmed}}
set:
  currency: CNY
lines:
  item: sku
  qty: quantity
  price: unit_price
  disc: discount
""")
    args = ["--format", "json", "import", "csv", orders, "--kind", "order", "--map", mapping, "--lines", lines,
            "--join", "no=order"]
    result = catalog(*args)
    assert result.code == 0, result.err
    assert result.json()["create"] == 2
    records = [catalog.read(str(p.relative_to(catalog.root))) for p in catalog.files("orders")]
    made = {order["external_ids"]["erp"]: order for order in records}
    first = made["100"]
    assert first["party"] == "customers/acme" and first["date"] == "2026-10-01" and first["status"] == "confirmed"
    assert first["history"][0]["note"] == "imported from orders.csv"
    assert [line["sku"] for line in first["lines"]] == ["CAB-07", "CONS-DAY"]
    assert first["lines"][1]["unit_price"] == Decimal("800.00") and first["lines"][0]["discount"] == Decimal("0.03")
    assert first["totals"] == {"net": Decimal("50100.00"), "discount": Decimal("1500.00"), "tax": Decimal("6401.00"),
                               "gross": Decimal("56501.00")}
    assert made["101"]["party"] == "customers/huaqiang-dianzi" and made["101"]["status"] == "draft"
    assert catalog("check").code == 0
    again = catalog(*args).json()
    assert (again["create"], again["unchanged"]) == (0, 2)
    write(orders, "no,customer,day,state\n100,K1,2026-10-01,confirmed\n101,K2,2026-10-05,confirmed\n")
    assert catalog(*args).json()["update"] == 1
    moved = catalog.read(str([p for p in catalog.files("orders") if "20261005" in p.name][0].relative_to(catalog.root)))
    assert [h["status"] for h in moved["history"]] == ["draft", "confirmed"]


def test_orders_from_one_file_grouped_by_a_key(catalog, tmp_path):
    source = write(tmp_path / "o.csv", "no;customer;sku;qty\n7;Acme Corp;CAB-07;1\n7;Acme Corp;CONS-DAY;2\n"
                                       "8;华强电子;CONS-DAY;1\n7;Acme Corp;CAB-07;5\n")
    result = catalog("--format", "json", "import", "csv", source, "--kind", "order", "--group-by", "no",
                     "--skip-invalid", "--map", "customer=party,sku=lines.sku,qty=lines.quantity")
    assert result.code == 0, result.err
    assert result.json()["create"] == 2
    assert result.json()["rejected_rows"] == [
        {"where": "row 5", "reason": "no '7' comes again after other rows (its rows must be together)"}]
    sizes = sorted(len(catalog.read(str(p.relative_to(catalog.root)))["lines"]) for p in catalog.files("orders"))
    assert sizes == [1, 2]


def test_a_mapping_sets_a_line_constant(catalog, tmp_path):
    source = write(tmp_path / "o.csv", "customer,sku,qty\nAcme Corp,CAB-07,2\n")
    mapping = write(tmp_path / "o.yaml", "columns:\n  customer: party\nlines:\n  sku: sku\n  qty: quantity\n"
                                         "set:\n  lines.tax_rate: 0\n  currency: EUR\n  lines.unit_price: 150\n")
    assert catalog("import", "csv", source, "--kind", "order", "--map", mapping).code == 0
    (order,) = [catalog.read(str(p.relative_to(catalog.root))) for p in catalog.files("orders")]
    assert order["currency"] == "EUR" and order["totals"] == {"net": Decimal("300.00"), "tax": Decimal("0.00"),
                                                              "gross": Decimal("300.00")}


def test_a_row_whose_party_cannot_be_resolved(catalog, tmp_path):
    source = write(tmp_path / "o.csv", "customer,sku,qty\nK1,CAB-07,1\nK9,CAB-07,1\n")
    result = catalog("import", "csv", source, "--kind", "order", "--source", "erp",
                     "--map", "customer=party,sku=lines.sku,qty=lines.quantity")
    assert result.code == 1
    assert result.err.startswith("crm: o.csv: row 3: no customer matches 'K9' (nor has it as its erp key) (nothing imported")
    assert not catalog.files("orders")


def test_contacts_and_interactions(catalog, tmp_path):
    contacts = write(tmp_path / "contacts.csv", "company,name,title,mobile\nK2,张伟,采购经理,138 0000 0000\n"
                                                "K2,刘洋,,\nAcme Corp,John Smith,CFO,\n")
    result = catalog("import", "csv", contacts, "--kind", "contact", "--source", "erp",
                     "--map", "company=party,name=name,title=title,mobile=phones[0]")
    assert result.code == 0, result.err
    huaqiang = catalog.read("customers/huaqiang-dianzi.yaml")
    assert [(c["name"], c.get("primary")) for c in huaqiang["contacts"]] == [("张伟", True), ("刘洋", None)]
    write(contacts, "company,name,title,mobile\nK2,张伟,总经理,138 0000 0000\n")
    assert catalog("import", "csv", contacts, "--kind", "contact", "--source", "erp",
                   "--map", "company=party,name=name,title=title,mobile=phones[0]").code == 0
    assert catalog.read("customers/huaqiang-dianzi.yaml")["contacts"][0]["title"] == "总经理"
    calls = write(tmp_path / "calls.csv", "who,when,what,kind\nK2,2026-11-20 16:30,Pricing agreed,call\n"
                                          "Acme Corp,2026-11-21 09:00,Samples sent,email\n")
    result = catalog("import", "csv", calls, "--kind", "interaction", "--source", "erp",
                     "--map", "who=party,when=at,what=summary,kind=type")
    assert result.code == 0, result.err
    logged = [catalog.read(str(p.relative_to(catalog.root))) for p in catalog.files("interactions")]
    assert sorted((i["party"], i["at"], i["type"]) for i in logged) == [
        ("customers/acme", "2026-11-21T09:00:00+08:00", "email"),
        ("customers/huaqiang-dianzi", "2026-11-20T16:30:00+08:00", "call")]


def test_an_import_with_everything_unchanged_writes_nothing(empty, tmp_path):
    source = write(tmp_path / "c.csv", "id,name\nC1,Acme\n")
    args = ["import", "csv", source, "--kind", "customer", "--map", "name=name", "--source", "erp", "--key", "id"]
    assert empty(*args).code == 0
    stamp = (empty.root / "customers/acme.yaml").stat().st_mtime_ns
    assert empty(*args).code == 0
    assert (empty.root / "customers/acme.yaml").stat().st_mtime_ns == stamp


def test_the_import_is_one_transaction(empty, tmp_path):
    """A refusal half-way leaves no temporary files behind."""
    source = write(tmp_path / "c.csv", "name,phone\n" + "".join(f"Firm {n},+1 555 {n:04d}\n" for n in range(50))
                   + "Broken,not a phone\n")
    assert empty("import", "csv", source, "--kind", "customer", "--map", "name=name,phone=phones[0]").code == 1
    assert not [p for p in empty.root.rglob("*") if p.name.startswith(".crm-tmp-")]
    assert not empty.files("customers")
    shutil.rmtree(empty.state)
    assert empty("check").code == 0


def test_decimal_commas_are_read_as_the_column_shows_them(empty):
    """`1.250,50` and `12,90` (German and some Chinese sheets) were refused as not numbers."""
    result = empty("--format", "json", "import", "csv", FIXTURES / "products-de.csv", "--kind", "product")
    assert result.code == 0, result.err
    assert result.json()["create"] == 3
    prices = {sku: (empty.read(f"products/{sku}.yaml")["price"], empty.read(f"products/{sku}.yaml")["tax_rate"])
              for sku in ("CAB-07", "CONS-DAY", "PLUG-2")}
    assert prices == {"CAB-07": (Decimal("1250.50"), Decimal("0.13")), "CONS-DAY": (Decimal("800"), Decimal("0.06")),
                      "PLUG-2": (Decimal("12.90"), Decimal("0.075"))}


@pytest.mark.parametrize("locale, price", [("de_DE", "1.25"), ("zh_CN", "1250"), ("en-US", "1250"),
                                           ("fr_FR", "1.25")])
def test_a_locale_says_how_the_file_writes_numbers(empty, tmp_path, locale, price):
    source = write(tmp_path / "p.csv", 'sku,name,price\nA-1,Cable,"1,250"\n')
    result = empty("import", "csv", source, "--kind", "product", "--locale", locale)
    assert result.code == 0, result.err
    assert empty.read("products/A-1.yaml")["price"] == Decimal(price)


def test_german_thousands_dots_need_the_locale_or_a_comma_in_the_column(empty, tmp_path):
    source = write(tmp_path / "p.csv", 'sku;name;price\nA-1;Kabel;1.250\nA-2;Stecker;"3,5"\n')
    assert empty("import", "csv", source, "--kind", "product").code == 0
    assert [empty.read(f"products/{sku}.yaml")["price"] for sku in ("A-1", "A-2")] == [Decimal("1250"), Decimal("3.5")]


def test_a_number_that_reads_two_ways_is_refused_naming_both(empty, tmp_path):
    source = write(tmp_path / "p.csv", 'sku,price\nA-1,"1,250"\nA-2,800\n')
    result = empty("import", "csv", source, "--kind", "product")
    assert result.code == 1 and not empty.files("products")
    assert result.err.splitlines() == [
        "crm: p.csv: row 2: price: '1,250' reads as 1250 (comma between thousands) or as 1.250 (decimal comma): "
        "give --locale (en_US or de_DE, for instance) (nothing imported; --dry-run lists the rejected rows, "
        "--skip-invalid imports the others)"]


@pytest.mark.parametrize("content, args, message", [
    ('sku,price\nA-1,"12,90"\nA-2,1250.5\n', [],
     "crm: p.csv: column 'price' has numbers with a decimal comma (row 2: '12,90') and with a decimal point "
     "(row 3: '1250.5'): give --locale"),
    ("sku,price\nA-1,12\n", ["--locale", "xx_YY"], "crm: --locale 'xx_YY': not a locale (de_DE, fr_FR, zh_CN, en_US…)"),
    ('sku,name,price\nA-1,Cable,"1.250,50"\n', ["--locale", "en_US"],
     "crm: p.csv: row 2: price: '1.250,50' is not a number as en_US writes them (nothing imported; --dry-run lists "
     "the rejected rows, --skip-invalid imports the others)"),
])
def test_numbers_that_cannot_be_read_are_one_line(empty, tmp_path, content, args, message):
    source = write(tmp_path / "p.csv", content)
    result = empty("import", "csv", source, "--kind", "product", *args)
    assert result.code == 1 and result.err.strip() == message and not empty.files("products")


def test_chinese_headers_need_no_mapping(empty):
    result = empty("--format", "json", "import", "csv", FIXTURES / "customers-zh-headers.csv", "--kind", "customer")
    assert result.code == 0, result.err
    assert result.json()["create"] == 2
    huaqiang = empty.read("customers/huaqiang-dianzi.yaml")
    assert {key: huaqiang[key] for key in ("name", "industry", "phones", "emails", "addresses", "contacts", "notes")} \
        == {"name": "深圳市华强电子有限公司", "industry": "electronics", "phones": ["0755 8888 0000"],
            "emails": ["purchasing@huaqiang.example"],
            "addresses": [{"street": "华强北路1号", "city": "深圳", "province": "广东"}],
            "contacts": [{"name": "张伟", "phones": ["138 2651 7730"]}], "notes": "广交会认识"}
    assert empty.read("customers/hangzhou-jinglian-xianlan.yaml")["contacts"] == [{"name": "李娜"}]


def test_english_headers_need_no_mapping(empty):
    result = empty("import", "csv", FIXTURES / "suppliers-en-headers.csv", "--kind", "supplier")
    assert result.code == 0, result.err
    muller = empty.read("suppliers/muller-elektrotechnik.yaml")
    assert muller["addresses"] == [{"street": "Hauptstr. 5", "city": "München", "province": "Bayern",
                                    "postcode": "80331", "country": "DE"}]
    assert (muller["phones"], muller["emails"], muller["tax_id"], muller["notes"]) == (
        ["+49 89 1234 5678"], ["info@mueller.example"], "DE123456788", "Met in Hannover")
    assert muller["contacts"] == [{"name": "Hans Müller", "phones": ["+49 170 1234567"]}]


def test_every_kind_recognises_chinese_headers(empty, tmp_path):
    """Contacts, interactions, products and orders too, a party named by its Chinese name."""
    assert empty("customer", "add", "深圳市华强电子有限公司").code == 0
    files = {
        "contact": "公司名称,姓名,职务,手机,邮箱,微信\n深圳市华强电子有限公司,张伟,采购经理,138 0000 0000,zw@hq.example,zhangwei_hq\n",
        "interaction": "客户名称,日期,类型,摘要,内容\n深圳市华强电子有限公司,2026-11-20 16:30,call,谈价格,同意3%折扣\n",
        "product": "产品编号,品名,单价,单位,税率\nCAB-07,屏蔽铜缆,\"1.250,00\",reel,13%\n",
        "order": "客户名称,日期,产品编号,数量,单价\n深圳市华强电子有限公司,2026-11-21,CAB-07,40,1250\n",
    }
    for kind, text in files.items():
        result = empty("import", "csv", write(tmp_path / f"{kind}.csv", text), "--kind", kind)
        assert result.code == 0, (kind, result.err)
    party = empty.read("customers/huaqiang-dianzi.yaml")
    assert party["contacts"] == [{"name": "张伟", "title": "采购经理", "phones": ["138 0000 0000"],
                                  "emails": ["zw@hq.example"], "wechat": "zhangwei_hq", "primary": True}]
    (call,) = [empty.read(str(p.relative_to(empty.root))) for p in empty.files("interactions")]
    assert (call["party"], call["at"], call["summary"], call["body"]) == (
        "customers/huaqiang-dianzi", "2026-11-20T16:30:00+08:00", "谈价格", "同意3%折扣")
    product = empty.read("products/CAB-07.yaml")
    assert (product["name"], product["price"], product["unit"]) == ("屏蔽铜缆", Decimal("1250.00"), "reel")
    (order,) = [empty.read(str(p.relative_to(empty.root))) for p in empty.files("orders")]
    assert order["party"] == "customers/huaqiang-dianzi" and order["lines"][0]["sku"] == "CAB-07"
    assert order["totals"]["net"] == Decimal("50000.00")


def test_an_order_file_without_line_columns_says_what_it_lacks(empty, tmp_path):
    result = empty("import", "csv", write(tmp_path / "o.csv", "客户名称,日期\nAcme,2026-11-20\n"), "--kind", "order")
    assert result.code == 1 and result.err.strip() == (
        "crm: no column of o.csv names a field of an order line (sku, quantity, unit_price, 产品编号, 数量, 单价…): "
        "give a mapping with --map")


def test_a_mapping_takes_the_names_customer_add_takes(empty, tmp_path):
    """`城市=city` said "unknown field 'city'": a mapping now takes add's option names and aliases."""
    source = write(tmp_path / "c.csv", "名称,城市,电话,座机,邮箱,联系人,微信,税号,账期\n华强电子,深圳,138 0000 0000,"
                                       "0755 8888 0000,a@hq.example,张伟,hq_wx,91440300MA5XXXX,net 30\n")
    result = empty("import", "csv", source, "--kind", "customer", "--map",
                   "名称=name,城市=city,电话=phone,座机=phone,邮箱=email,联系人=contact,微信=wechat,税号=tax-id,账期=terms")
    assert result.code == 0, result.err
    party = empty.read("customers/huaqiang-dianzi.yaml")
    assert party["addresses"] == [{"city": "深圳"}] and party["emails"] == ["a@hq.example"]
    assert party["phones"] == ["138 0000 0000", "0755 8888 0000"]
    assert (party["tax_id"], party["payment_terms"], party["contacts"]) == ("91440300MA5XXXX", "net 30",
                                                                            [{"name": "张伟", "wechat": "hq_wx"}])


def test_set_adds_to_the_lists_a_column_fills(empty, tmp_path):
    """`set: tags: [imported]` replaced the tags read from a column."""
    source = write(tmp_path / "c.csv", "name,tags\nAcme,vip;imported\nBeta,\n")
    mapping = write(tmp_path / "m.yaml", "columns:\n  name: name\n  tags: {field: tags, split: ';'}\n"
                                         "set:\n  tags: [imported, fair-2026]\n  city: Boston\n")
    assert empty("import", "csv", source, "--kind", "customer", "--map", mapping).code == 0
    acme, beta = empty.read("customers/acme.yaml"), empty.read("customers/beta.yaml")
    assert acme["tags"] == ["vip", "imported", "fair-2026"] and beta["tags"] == ["imported", "fair-2026"]
    assert acme["addresses"] == [{"city": "Boston"}]


def test_rows_name_parties_as_the_command_line_does_and_the_dry_run_shows_how(empty, tmp_path):
    """Imports demanded a party's exact name; now a name, pinyin, email, phone or tax id finds it."""
    assert empty("customer", "add", "深圳市华强电子有限公司", "--phone", "+86 755 8888 0000",
                 "--email", "purchasing@huaqiang.example", "--tax-id", "91440300MA5FXXXX1").code == 0
    assert empty("customer", "add", "Acme Corp", "--email", "info@acme.example").code == 0
    source = write(tmp_path / "calls.csv", "who,when,what\n深圳市华强电子有限公司,2026-11-20,call\nhuaqiangdianzi,2026-11-20,call\n"
                                           "PURCHASING@huaqiang.example,2026-11-20,call\n0755-8888 0000,2026-11-20,call\n"
                                           "91440300MA5FXXXX1,2026-11-20,call\nacme,2026-11-20,call\n")
    args = ["import", "csv", source, "--kind", "interaction", "--map", "who=party,when=at,what=type,what=summary"]
    result = empty("--format", "json", *args, "--dry-run")
    assert result.code == 0, result.err
    assert [(m["where"], m["party"], m["by"]) for m in result.json()["matches"]] == [
        ("row 2", "customers/huaqiang-dianzi", "name"), ("row 3", "customers/huaqiang-dianzi", "pinyin"),
        ("row 4", "customers/huaqiang-dianzi", "email"), ("row 5", "customers/huaqiang-dianzi", "phone"),
        ("row 6", "customers/huaqiang-dianzi", "tax id"), ("row 7", "customers/acme", "id")]
    table = empty(*args, "--dry-run").out
    assert "row 4  PURCHASING@huaqiang.example  customers/huaqiang-dianzi  email" in table
    assert empty(*args).code == 0
    assert len(empty.files("interactions")) == 6


def test_a_row_naming_several_parties_lists_them(empty, tmp_path):
    for name in ("Acme Boston", "Acme Paris"):
        assert empty("customer", "add", name).code == 0
    source = write(tmp_path / "calls.csv", "who,when,what\nacme,2026-11-20,call\n")
    result = empty("import", "csv", source, "--kind", "interaction", "--map", "who=party,when=at,what=type")
    assert result.code == 1
    assert result.err.startswith("crm: calls.csv: row 2: 'acme' is ambiguous (2 parties): customers/acme-boston  Acme "
                                 "Boston; customers/acme-paris  Acme Paris (nothing imported")


def test_the_readme_lists_every_header_crm_recognises():
    from crmcli.model.fieldnames import TABLES

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("#### Column headers crm recognises"):]
    section = section[:section.index("\n#### ", 1)]
    missing = sorted({f"{kind}: {name}" for kind, table in TABLES.items() for names in table.values()
                      for name in names if f"`{name}`" not in section})
    assert not missing


def test_a_french_file_groups_thousands_with_spaces(empty, tmp_path):
    source = write(tmp_path / "p.csv", "sku;name;price\nA-1;Câble;1 250,50\nA-2;Prise;\u00a0980,00\n")
    assert empty("import", "csv", source, "--kind", "product", "--locale", "fr_FR").code == 0
    assert [empty.read(f"products/{sku}.yaml")["price"] for sku in ("A-1", "A-2")] == [Decimal("1250.50"),
                                                                                       Decimal("980.00")]


def test_a_second_import_replaces_a_list_it_gives(empty, tmp_path):
    """A re-import with fewer tags left the old ones behind from the first position on."""
    source = write(tmp_path / "c.csv", "id,name,tags\nC1,Acme,vip;cable;export\n")
    args = ["import", "csv", source, "--kind", "customer", "--source", "erp", "--key", "id", "--map",
            write(tmp_path / "m.yaml", "columns:\n  name: name\n  tags: {field: tags, split: ';'}\nset:\n"
                                       "  tags: [imported]\n")]
    assert empty(*args).code == 0
    assert empty.read("customers/acme.yaml")["tags"] == ["vip", "cable", "export", "imported"]
    write(source, "id,name,tags\nC1,Acme,lost\n")
    assert empty(*args).code == 0
    assert empty.read("customers/acme.yaml")["tags"] == ["lost", "imported"]
