"""The sales ledger, checked against sums computed here straight from the order files."""

import base64
from collections import defaultdict
from decimal import Decimal

import pytest

from conftest import ROOT
from crmcli.store import codec

GOLDEN = ROOT / "tests" / "golden"
COUNTED = ("confirmed", "shipped", "delivered", "closed")


def orders_of(data, kind="sale"):
    orders = [codec.decode(p.read_bytes()) for p in data.files("orders")]
    return [o for o in orders if o["kind"] == kind and o["status"] in COUNTED]


def test_ledger_totals_equal_the_order_files(demo):
    expected = defaultdict(lambda: defaultdict(Decimal))
    for order in orders_of(demo):
        for key in ("net", "tax", "gross"):
            expected[(order["currency"], order["owner"], str(order["date"])[:7])][key] += order["totals"][key]
    report = demo("ledger", "--by", "owner,month", "--format", "json").json()
    seen = {}
    for code, table in report["currencies"].items():
        for row in table["rows"]:
            seen[(code, row["owner"], row["month"])] = {k: Decimal(str(row[k])) for k in ("net", "tax", "gross")}
    assert seen == {key: dict(values) for key, values in expected.items()}


def test_register_and_grand_totals(demo):
    report = demo("ledger", "--period", "2026", "--format", "json").json()
    for code, table in report["currencies"].items():
        mine = [o for o in orders_of(demo) if o["currency"] == code and str(o["date"]).startswith("2026")]
        assert len(table["rows"]) == len(mine)
        assert Decimal(str(table["total"]["gross"])) == sum(o["totals"]["gross"] for o in mine)


def test_product_grouping_adds_exact_line_nets_and_rounds_once(demo):
    exact = defaultdict(Decimal)
    for order in orders_of(demo):
        if order["currency"] == "CNY":
            for line in order["lines"]:
                net = Decimal(line["quantity"]) * line["unit_price"] * (1 - line.get("discount", Decimal(0)))
                exact[line.get("sku") or line.get("description")] += net
    cny = demo("ledger", "--by", "product", "--format", "json").json()["currencies"]["CNY"]
    assert {row["product"]: Decimal(str(row["net"])) for row in cny["rows"]} == {
        product: net.quantize(Decimal("0.01"), "ROUND_HALF_UP") for product, net in exact.items()}
    assert "paid" not in cny["total"]


def test_purchases_counted_only_and_queries(demo):
    purchases = demo("ledger", "--purchases", "--by", "supplier", "--format", "json").json()
    assert purchases["kind"] == "purchase" and purchases["currencies"]
    counted = demo("ledger", "--counted-only", "--by", "type", "--format", "json").json()
    assert all(row["type"] == "standard" for table in counted["currencies"].values() for row in table["rows"])
    one = demo("ledger", "party:huaqiang", "--format", "json").json()
    assert all(row["party"] == "深圳市华强电子有限公司"
               for table in one["currencies"].values() for row in table["rows"])


def test_convert_uses_the_rates_in_crm_yaml(demo):
    converted = demo("ledger", "--by", "year", "--convert", "CNY", "--format", "json").json()
    assert list(converted["currencies"]) == ["CNY"]
    rates = {"CNY": Decimal(1), "USD": Decimal("7.10"), "EUR": Decimal("7.75"), "GBP": Decimal("9.05")}
    expected = sum((o["totals"]["gross"] * rates[o["currency"]] for o in orders_of(demo)), Decimal(0))
    assert Decimal(str(converted["currencies"]["CNY"]["total"]["gross"])) == expected.quantize(Decimal("0.01"))
    missing = demo("ledger", "--convert", "JPY")
    assert missing.code == 1 and "no exchange rate for JPY" in missing.err


def test_an_empty_period_is_an_empty_table_with_zero_totals(demo):
    result = demo("ledger", "--by", "month", "--period", "2030", "--format", "json")
    assert result.code == 0
    table = result.json()["currencies"]["CNY"]
    assert table["rows"] == [] and Decimal(str(table["total"]["gross"])) == 0


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-Q5"], "invalid period"),
    (["--period", "2026-13"], "invalid period"),
    (["--by", "colour"], "unknown --by key"),
    (["--by", "owner,month,year"], "at most two"),
    (["--convert", "XYZ"], "unknown currency"),
])
def test_bad_ledger_input(demo, args, message):
    result = demo("ledger", *args)
    assert result.code == 1 and message in result.err


def test_ledger_plain_matches_the_golden_file(demo):
    out = demo("ledger", "--by", "owner,quarter", "--period", "2026", "--format", "plain").out
    assert out == (GOLDEN / "ledger-owner-quarter-2026.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("by", ["month", "quarter", "year", "customer", "owner,month", "region,type",
                                "industry,quarter", "customer,year"])
def test_sql_and_python_grouping_agree(demo, by):
    """Order-level ledgers are summed by SQLite; the line-level code path (used with
    --convert) must give the same answer when converting to each order's own currency."""
    from crmcli import open_repo
    from crmcli.model.kinds import KINDS
    from crmcli.query.search import select
    from crmcli.reports import ledger as sums
    from crmcli.store.questions import Match

    repo = open_repo(demo.root)
    keys = by.split(",")
    sold = Match(one_of={"kind": ("sale",), "status": ("confirmed", "shipped", "delivered", "closed")})
    by_sql = sums._sql_cells(repo, "", sold, keys[0], keys[-1], sums.MEASURES)
    orders = [r.data for r in select(repo, "", (KINDS["order"],), sold)]
    for code, cells in by_sql.items():
        facts = sums._facts([o for o in orders if o["currency"] == code], False, repo.index.party_facts(), {})
        by_python = sums._cells(facts, keys[0], keys[-1], sums.MEASURES)
        in_sql = sums._grouped(cells, keys, sums.MEASURES, code)[1]
        assert in_sql == sums._grouped(by_python, keys, sums.MEASURES, code)[1]


def test_the_register_names_what_each_order_was_for(demo):
    """The product column of the register named only a first SKU it never fetched: empty, or `+2`."""
    rows = demo("ledger", "--period", "2026-10", "--format", "json").json()["currencies"]["CNY"]["rows"]
    products = {row["id"]: row["product"] for row in rows}
    assert products["SO-20261012-0GFN"] == "HRN-2027A"
    assert products["SO-20261026-DKAP"] == "CAB-12, CAB-HDMI21-2M, MCU-F103C8"
    text = demo("ledger", "--period", "2026-10", "--format", "plain").out
    assert "+2" not in text and "CAB-HDMI21-2M" in text


ORDER = "orders/2026/SO-20260408-KEMV.yaml"
"""A closed sale of the demo's, paid in full: 1853.20 CNY to wangxiaoming (王小明) in 2026-04."""


def customer_month(data, when="2026-04") -> dict:
    """The ledger's row of the demo's wangxiaoming in a month, as JSON."""
    report = data("ledger", "--by", "customer,month", "--format", "json").json()
    return next(row for row in report["currencies"]["CNY"]["rows"]
                if row["customer"] == "王小明" and row["month"] == when)


def test_a_hand_edit_of_an_orders_amounts_and_payments_is_in_the_next_ledger(demo):
    """The ledger adds sums the index keeps per order: a hand edit must reach them."""
    before = customer_month(demo)
    path = demo.root / ORDER
    path.write_text(path.read_text(encoding="utf-8").replace(
        "totals: {net: 1640.00, tax: 213.20, gross: 1853.20}", "totals: {net: 1740.00, tax: 226.20, gross: 1966.20}")
        .replace("amount: 1853.20, method: wechat}", "amount: 1000.01, method: wechat}"), encoding="utf-8")
    after = customer_month(demo)
    assert Decimal(str(after["gross"])) - Decimal(str(before["gross"])) == Decimal("113.00")
    assert Decimal(str(after["paid"])) - Decimal(str(before["paid"])) == Decimal("-853.19")
    assert Decimal(str(after["outstanding"])) == Decimal(str(after["gross"])) - Decimal(str(after["paid"]))
    owed = demo("report", "receivables", "--format", "json").json()["CNY"]["rows"]
    assert next(row for row in owed if row["party"] == "王小明")["total"] == Decimal("966.19")


def test_amounts_beyond_the_minor_unit_are_added_exactly_and_rounded_once(demo):
    """A hand-typed total of a tenth of a cent is no whole number of cents: the ledger adds
    the orders as written (exactly) rather than a rounded copy, and rounds the group once."""
    path = demo.root / ORDER
    path.write_text(path.read_text(encoding="utf-8").replace("net: 1640.00,", "net: 1640.004,"), encoding="utf-8")
    expected = sum(o["totals"]["net"] for o in orders_of(demo)
                   if o["party"] == "customers/wangxiaoming" and str(o["date"]).startswith("2026-04"))
    assert expected % Decimal("0.01") != 0
    assert Decimal(str(customer_month(demo)["net"])) == expected.quantize(Decimal("0.01"))


def test_a_payment_the_reader_cannot_open_makes_paid_and_outstanding_unknown(demo):
    """A protected payment without the key is 🔒: what was paid and is outstanding on its
    group, its total and its party's receivable are unknown, never a number left short."""
    pyrage = pytest.importorskip("pyrage")
    someone = pyrage.x25519.Identity.generate().to_public()
    sealed = base64.b64encode(pyrage.encrypt(b'[{"date": "2026-04-08", "amount": 1853.20}]', [someone])).decode()
    path = demo.root / ORDER
    path.write_text(path.read_text(encoding="utf-8").replace(
        "payments:\n  - {date: 2026-04-08, amount: 1853.20, method: wechat}",
        f"payments: ENC[age,0123456789ab,{sealed}]"), encoding="utf-8")
    row = customer_month(demo)
    assert (row["paid"], row["outstanding"]) == ("🔒", "🔒")
    assert Decimal(str(row["gross"])) == Decimal("1853.20")
    report = demo("ledger", "--by", "customer,month", "--format", "json").json()["currencies"]["CNY"]
    assert report["total"]["paid"] == "🔒"
    assert [r for r in report["rows"] if r["paid"] == "🔒"] == [row]
    owed = demo("report", "receivables", "--format", "json").json()["CNY"]
    assert next(r for r in owed["rows"] if r["party"] == "王小明")["total"] == "🔒"
    assert "🔒" in demo("ledger", "--by", "customer,month").out


def test_a_payment_crm_records_is_in_the_very_next_ledger_and_receivables(demo):
    """What `crm pay` writes reaches the sums the index keeps for the order (on write, not
    only at the next look at the files)."""
    register = demo("ledger", "--format", "json").json()["currencies"]["CNY"]["rows"]
    owing = next(row for row in register if Decimal(str(row["outstanding"])) > 10)
    month = str(owing["date"])[:7]

    def now():
        grouped = demo("ledger", "--by", "party,month", "--format", "json").json()["currencies"]["CNY"]["rows"]
        cell = next(row for row in grouped if row["party"] == owing["party"] and row["month"] == month)
        owed = demo("report", "receivables", "--format", "json").json()["CNY"]["rows"]
        return Decimal(str(cell["paid"])), next(row["total"] for row in owed if row["party"] == owing["party"])

    paid, due = now()
    assert demo("pay", owing["id"], "10.00", "--date", "2026-11-20").code == 0
    assert now() == (paid + Decimal("10.00"), due - Decimal("10.00"))


@pytest.mark.parametrize("by", ["product", "category,owner", "customer,product"])
def test_line_sums_the_index_keeps_follow_a_hand_edit_of_an_orders_lines(demo, by):
    """Grouping by product adds the lines the index keeps; `--lines` adds the lines of the
    orders themselves: after a hand edit of a line both say the same, and the edit shows."""
    def product_row():
        rows = demo("ledger", "--by", "product", "--format", "json").json()["currencies"]["CNY"]["rows"]
        return next(row for row in rows if row["product"] == "LED-WIRE-2C")

    before = product_row()
    path = demo.root / ORDER
    path.write_text(path.read_text(encoding="utf-8").replace("    quantity: 100\n", "    quantity: 150\n")
                    .replace("unit_price: 2.80", "unit_price: 2.80\n    discount: 0.125"), encoding="utf-8")
    after = product_row()
    assert Decimal(str(after["quantity"])) - Decimal(str(before["quantity"])) == 50
    assert Decimal(str(after["net"])) - Decimal(str(before["net"])) == Decimal("87.50")  # 150 × 2.80 × 0.875 − 280
    from_index = demo("ledger", "--by", by, "--format", "json").json()
    assert from_index == demo("ledger", "--by", by, "--lines", "--format", "json").json()


@pytest.mark.parametrize("code, net, tax, paid, shown", [
    ("JPY", "1234567", "160494", "1000000", ["1,234,567", "0", "160,494", "1,395,061", "1,000,000", "395,061"]),
    ("KWD", "1640.125", "213.216", "1853.341", ["1,640.125", "0.000", "213.216", "1,853.341", "1,853.341", "0.000"]),
    ("CHF", "0.10", "0.20", "1000.00", ["0.10", "0.00", "0.20", "0.30", "1,000.00", "-999.70"]),
])
def test_amounts_summed_in_minor_units_read_in_their_currencys_places(demo, code, net, tax, paid, shown):
    """The store adds whole minor units (yen, fils, cents); the ledger shows them with the
    currency's own places and thousands separators, as the Decimal amounts of the files read:
    no decimals in yen, three in dinar, 0.1 + 0.2 exactly 0.30, and an overpayment below zero."""
    text = (demo.root / ORDER).read_text(encoding="utf-8")
    gross = Decimal(net) + Decimal(tax)
    copy = (text.replace("SO-20260408-KEMV", f"SO-20260408-{code}A").replace("currency: CNY", f"currency: {code}")
            .replace("{net: 1640.00, tax: 213.20, gross: 1853.20}", f"{{net: {net}, tax: {tax}, gross: {gross}}}")
            .replace("amount: 1853.20,", f"amount: {paid},"))
    (demo.root / ORDER).with_name(f"SO-20260408-{code}A.yaml").write_text(copy, encoding="utf-8")
    (row,) = demo("ledger", "--by", "customer,month", "--format", "json").json()["currencies"][code]["rows"]
    assert [Decimal(str(row[m])) for m in ("net", "tax", "gross", "paid", "outstanding")] == \
        [Decimal(net), Decimal(tax), gross, Decimal(paid), gross - Decimal(paid)]
    plain = demo("ledger", "--by", "customer,month", "--format", "plain").out
    lines = plain.split(f"Sales ledger · all · {code}\n")[1].split("\n\n")[0].splitlines()
    assert lines[2].split()[:3] == ["王小明", "2026-04", "1"]
    assert [line.split()[-6:] for line in lines[2:]] == [shown] * 3  # the row, its subtotal, the total
