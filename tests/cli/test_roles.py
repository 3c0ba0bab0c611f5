"""客商: one party that is both customer and supplier, in one file under one id, in both
lists, with sales and purchases, both ledgers and both sides of the 360° view; twins are
flagged by `check --duplicates` and folded by `crm merge`."""

import pytest


def ok(result):
    assert result.code == 0, result.err
    return result.out.strip()


@pytest.fixture
def both(empty):
    """Huaqiang sells to us, then buys from us: one party with both roles."""
    ok(empty("supplier", "add", "深圳市华强电子有限公司", "--id", "huaqiang"))
    refused = empty("customer", "add", "深圳市华强电子有限公司")
    assert refused.code == 1 and "already a supplier (suppliers/huaqiang)" in refused.err
    assert ok(empty("customer", "add", "深圳市华强电子有限公司", "--add-role")) == "huaqiang"
    return empty


def test_one_file_one_id_in_both_lists(both):
    assert both.read("suppliers/huaqiang.yaml")["roles"] == ["supplier", "customer"]
    assert not list((both.root / "customers").glob("*.yaml"))
    for kind in ("customer", "supplier"):
        assert [row["id"] for row in both(kind, "list", "--format", "json").json()] == ["huaqiang"]


def test_sales_purchases_ledgers_and_both_sides_of_the_view(both):
    sale = ok(both("order", "add", "huaqiang", "--line", "Widget 10 @ 100", "--status", "confirmed"))
    ok(both("purchase", "add", "huaqiang", "--line", "Cable 3 @ 50", "--status", "confirmed"))
    ok(both("pay", sale, "300"))
    shown = ok(both("show", "huaqiang", "--format", "plain"))
    assert "supplier and customer (company)" in shown
    words = " ".join(shown.split())
    assert "outstanding 700.00 CNY" in words and "we owe 150.00 CNY" in words
    assert "Purchase orders" in shown and "Sales orders" in shown and "on-time delivery" in shown
    [sold] = both("ledger", "--by", "customer", "--format", "json").json()["currencies"]["CNY"]["rows"]
    [bought] = both("ledger", "--purchases", "--by", "supplier", "--format", "json").json()["currencies"]["CNY"]["rows"]
    assert (sold["gross"], bought["gross"]) == (1000, 150)
    assert ok(both("check")) == ""


def test_twins_are_flagged_and_merged_into_one_party_with_both_roles(empty):
    assert ok(empty("customer", "add", "深圳市华强电子有限公司", "--id", "huaqiang")) == "huaqiang"
    assert ok(empty("supplier", "add", "深圳市华强电子有限公司", "--id", "huaqiang", "--add-role")) == "huaqiang"
    ok(empty("--today", "2026-11-01", "supplier", "add", "Jinglian Cable"))
    (empty.root / "customers" / "jinglian-cable.yaml").write_text(
        (empty.root / "suppliers" / "jinglian-cable.yaml").read_text(encoding="utf-8")
        .replace("entity: company", "entity: company\nlifecycle: customer"), encoding="utf-8")
    ok(empty("purchase", "add", "suppliers/jinglian-cable", "--line", "Cable 1 @ 10"))
    duplicates = empty("check", "--duplicates", "--format", "plain").out
    assert "customers/jinglian-cable" in duplicates and "customer and supplier twins" in duplicates
    assert "huaqiang" not in duplicates  # one party with both roles is no twin
    ok(empty("merge", "customers/jinglian-cable", "suppliers/jinglian-cable", "--prefer", "a"))
    merged = empty.read("customers/jinglian-cable.yaml")
    assert merged["roles"] == ["customer", "supplier"]
    assert not (empty.root / "suppliers" / "jinglian-cable.yaml").exists()
    [order] = [empty.read(str(p.relative_to(empty.root))) for p in empty.files("orders")]
    assert order["party"] == "customers/jinglian-cable"
    assert sorted(row["id"] for row in empty("supplier", "list", "--format", "json").json()) == [
        "huaqiang", "jinglian-cable"]
    assert ok(empty("check")) == ""
