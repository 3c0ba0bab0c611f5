"""Tax ids checked by country (issue 19, item 8): a Chinese 统一社会信用代码 with its region, an
EU VAT number, a US EIN; `add`/`edit` refuse an invalid one, `crm check` names those in files."""

import pytest

from crmcli.model.taxids import check_tax_id

VALID_USCC = "91440300MA5F7K2L30"  # registered in 深圳 (440300)
BAD_USCC = "91440300MA5F7K2L3X"  # the same with a wrong check character


@pytest.mark.parametrize(("number", "country", "rule"), [
    (VALID_USCC, "CN", "统一社会信用代码"),
    ("DE812457391", "DE", "VAT"),
    ("812457391", "DE", "VAT"),  # without its prefix, taken as the country's
    ("FR68852963149", None, "VAT"),  # an EU VAT number says its country
    ("74-3198265", "US", "EIN"),
    ("GB284915720", "GB", "VAT"),
])
def test_valid_tax_ids_pass_their_countrys_rule(number, country, rule):
    checked = check_tax_id(number, country)
    assert checked is not None and rule in checked.rule


def test_a_chinese_code_names_where_it_was_registered():
    checked = check_tax_id(VALID_USCC, "CN")
    assert checked is not None and checked.region == "广东省 深圳市"
    assert check_tax_id("91440113MA59P2UE1K", "CN").region == "广东省 广州市 番禺区"  # type: ignore[union-attr]


def test_a_country_without_a_rule_is_not_judged():
    assert check_tax_id("whatever 123", "AQ") is None and check_tax_id("12345", None) is None


def test_add_refuses_an_invalid_tax_id_naming_the_rule(empty):
    result = empty("customer", "add", "华强电子", "--country", "CN", "--tax-id", BAD_USCC)
    assert result.code == 1 and not empty.files("customers")
    [line] = result.err.strip().splitlines()
    assert "统一社会信用代码" in line and BAD_USCC in line and "check digit" in line
    assert empty("customer", "add", "华强电子", "--id", "hq", "--country", "CN", "--tax-id", VALID_USCC).code == 0
    shown = empty("show", "hq", "--format", "plain").out
    assert f"{VALID_USCC} (广东省 深圳市)" in shown


def test_edit_refuses_an_invalid_tax_id_and_keeps_the_file(demo):
    before = demo.text("customers/muller-elektrotechnik.yaml")
    result = demo("customer", "edit", "muller-elektrotechnik", "--set", "tax_id=DE812457390")
    assert result.code == 1 and "VAT" in result.err and len(result.err.strip().splitlines()) == 1
    assert demo.text("customers/muller-elektrotechnik.yaml") == before
    assert demo("customer", "edit", "muller-elektrotechnik", "--set", "tax_id=DE812457391").code == 0


def test_check_reports_invalid_tax_ids_with_path_and_line(demo):
    path = demo.root / "suppliers/jinglian-xianlan.yaml"
    text = path.read_text(encoding="utf-8")
    valid = next(line for line in text.splitlines() if line.startswith("tax_id:")).split()[1]
    path.write_text(text.replace(valid, valid[:-1] + ("0" if valid[-1] != "0" else "1")), encoding="utf-8")
    line = next(number for number, content in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if content.startswith("tax_id:"))
    result = demo("check")
    assert result.code == 1
    [problem] = [row for row in result.out.splitlines() if "tax id" in row]
    assert problem.startswith(f"suppliers/jinglian-xianlan.yaml:{line}: ") and "统一社会信用代码" in problem
    # a party with an old invalid tax id can still be changed otherwise
    assert demo("supplier", "edit", "jinglian-xianlan", "--set", "industry=cable").code == 0
    assert "invalid" in demo("show", "jinglian-xianlan", "--format", "plain").out


def test_an_import_names_the_row_with_an_invalid_tax_id(empty, tmp_path):
    rows = tmp_path / "parties.csv"
    rows.write_text("name,country,tax_id\nGood GmbH,DE,DE812457391\nBad GmbH,DE,DE812457390\n", encoding="utf-8")
    result = empty("import", "csv", rows, "--kind", "customer")
    assert result.code == 1 and "row 3" in result.err and "VAT" in result.err
    assert not empty.files("customers")
