"""Orders and purchases through the CLI: lines, totals, status moves, payments, the 360° view."""

import os
import pty
import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import ROOT


@pytest.fixture
def shop(empty):
    """An empty data directory with a customer, a supplier (net 30) and a small catalog."""
    assert empty("customer", "add", "深圳市华强电子有限公司", "--terms", "net 30", "--region", "华南").code == 0
    assert empty("customer", "add", "Acme Corp", "--terms", "30 days end of month", "--owner", "emma").code == 0
    assert empty("supplier", "add", "Jinglian Cable", "--terms", "net 60").code == 0
    assert empty("product", "add", "CAB-07", "Shielded cable 100 m", "--price", "1250", "--unit", "reel",
                 "--tax-rate", "13%", "--supplier", "jinglian").code == 0
    assert empty("product", "add", "CONS-DAY", "Consulting day", "--price", "800", "--tax-rate", "6%").code == 0
    return empty


def order_file(data, order_id):
    return data.read(f"orders/{order_id[3:7]}/{order_id}.yaml")


def test_an_order_from_typed_lines(shop):
    result = shop("order", "add", "huaqiang", "--line", "CAB-07 40 @ 1250.00 -3%", "--line", "CONS-DAY 2",
                  "--line", "Freight 1 @ 300", "--date", "2026-11-21", "--delivery-due", "2026-12-05")
    assert result.code == 0, result.err
    order_id = result.out.strip()
    assert order_id.startswith("SO-20261121-")
    order = order_file(shop, order_id)
    assert order["kind"] == "sale" and order["party"] == "customers/huaqiang-dianzi"
    assert order["owner"] == "li" and order["region"] == "华南" and order["currency"] == "CNY"
    assert order["lines"][0] == {"sku": "CAB-07", "description": "Shielded cable 100 m", "quantity": 40, "unit": "reel",
                                 "unit_price": Decimal("1250.00"), "discount": Decimal("0.03"),
                                 "tax_rate": Decimal("0.13")}
    assert order["lines"][2] == {"description": "Freight", "quantity": 1, "unit_price": Decimal("300.00")}
    assert order["totals"] == {"net": Decimal("50400.00"), "discount": Decimal("1500.00"),
                               "tax": Decimal("6401.00"), "gross": Decimal("56801.00")}
    assert order["status"] == "draft" and order["history"][0]["status"] == "draft"
    assert order["payment_due"] == "2027-01-04"  # net 30 from the delivery due date
    assert order["type"] == "standard" and order["counts_toward_target"] is True
    assert "&" not in (shop.root / f"orders/2026/{order_id}.yaml").read_text()


def test_lines_as_yaml_on_stdin_and_special_orders(shop):
    lines = "- sku: CAB-07\n  quantity: 3\n- description: Rush fee\n  quantity: 1\n  unit_price: 99.90\n"
    result = shop("order", "add", "acme", "--special", "--currency", "EUR", "--line", "CAB-07 1 @ 150", input=lines)
    assert result.code == 0, result.err
    result = shop("order", "add", "acme", "--special", "--currency", "usd",
                  input=lines.replace("CAB-07\n", "CAB-07\n  unit_price: 170\n"))
    order = order_file(shop, result.out.strip())
    assert order["currency"] == "USD" and order["type"] == "special" and order["counts_toward_target"] is False
    assert order["owner"] == "emma"
    assert [line.get("sku") for line in order["lines"]] == ["CAB-07", None]


@pytest.mark.parametrize("args, message", [
    (["--line", "NOPE-99 3"], "unknown SKU 'NOPE-99'"),
    (["--line", "CAB-07 -3"], "more than zero"),
    (["--line", "CAB-07 3 @ twelve"], "not a number"),
    (["--line", "CAB-07 3 @ 12,50"], "not a number"),
    (["--line", "CAB-07 3", "--currency", "RMB"], "unknown currency code 'RMB'"),
    (["--line", "CAB-07 3 @ 10 -150%"], "between 0% and 100%"),
    (["--line", "Mystery box 1"], "unknown SKU"),
    (["--line", "CAB-07 3", "--currency", "EUR"], "give a price"),
    (["--line", "CAB-07 3", "--date", "2026-11-20", "--delivery-due", "2025-11-30"],
     "delivery_due: 2025-11-30 is before date (2026-11-20)"),
    (["--line", "CAB-07 3", "--payment-due", "-3d"], "payment_due: 2026-11-19 is before date (2026-11-22)"),
])
def test_bad_orders_write_nothing(shop, args, message):
    result = shop("order", "add", "huaqiang", *args)
    assert result.code == 1 and message in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (shop.root / "orders").exists() or shop.files("orders") == []


def test_a_sale_needs_a_customer_and_a_purchase_a_supplier(shop):
    assert shop("order", "add", "jinglian", "--line", "CAB-07 1").code == 1
    purchase = shop("purchase", "add", "jinglian", "--line", "CAB-07 100 @ 900")
    assert purchase.code == 0 and purchase.out.startswith("PO-")
    assert shop("order", "show", purchase.out.strip()).code == 1
    assert shop("purchase", "show", purchase.out.strip(), "--format", "json").json()["kind"] == "purchase"


def test_the_whole_life_of_an_order(shop):
    order_id = shop("order", "add", "huaqiang", "--line", "CAB-07 2", "--date", "2026-11-15").out.strip()
    illegal = shop("order", "deliver", order_id)
    assert illegal.code == 1 and "draft" in illegal.err and "allowed: submitted, cancelled" in illegal.err
    assert shop("order", "submit", order_id).code == 0
    assert shop("order", "confirm", order_id, "--by", "wang", "--note", "approved").code == 0
    assert shop("order", "ship", order_id).code == 0
    assert shop("order", "deliver", order_id, "--date", "2026-11-20").code == 0
    assert shop("order", "cancel", order_id).code == 1
    assert shop("order", "close", order_id).code == 0
    final = shop("order", "confirm", order_id)
    assert final.code == 1 and "final" in final.err
    order = order_file(shop, order_id)
    assert [h["status"] for h in order["history"]] == ["draft", "submitted", "confirmed", "shipped", "delivered",
                                                        "completed"]
    assert order["history"][2]["by"] == "wang" and order["history"][2]["note"] == "approved"
    assert order["delivered"] == "2026-11-20"


def test_cancel_from_any_open_state(shop):
    for moves in ([], ["submit"], ["submit", "confirm"], ["submit", "confirm", "ship"]):
        order_id = shop("order", "add", "huaqiang", "--line", "CAB-07 1").out.strip()
        for move in moves:
            assert shop("order", move, order_id).code == 0
        assert shop("order", "cancel", order_id).code == 0
        order = order_file(shop, order_id)
        assert order["status"] == "cancelled"
        assert [step["status"] for step in order["history"]][-1] == "cancelled"
        assert order_id not in shop("order", "list", "--open", "--format", "plain").out
        again = shop("order", "cancel", order_id)
        assert again.code == 1 and "cancelled" in again.err


def test_payments(shop):
    order_id = shop("order", "add", "huaqiang", "--line", "CAB-07 2", "--status", "confirmed").out.strip()
    # 2 × 1250 = 2500 + 13% = 2825.00
    first = shop("pay", order_id, "1000", "--method", "bank", "--ref", "TX-1", "--date", "2026-11-20")
    assert first.code == 0 and first.out.strip() == "1825.00 CNY outstanding"
    too_much = shop("pay", order_id, "2000")
    assert too_much.code == 1 and "more than the 1825.00 outstanding" in too_much.err
    assert shop("pay", order_id, "1825.00").out.strip() == "0.00 CNY outstanding"
    assert shop("pay", order_id, "5", "--allow-overpay").out.strip() == "5.00 CNY credit"
    assert shop("pay", order_id, "0").code == 1
    assert shop("pay", order_id, "1.001").code == 1
    order = order_file(shop, order_id)
    assert order["payments"][0] == {"date": "2026-11-20", "amount": Decimal("1000.00"), "method": "bank", "ref": "TX-1"}
    cancelled = shop("order", "add", "huaqiang", "--line", "CAB-07 1").out.strip()
    shop("order", "cancel", cancelled)
    refused = shop("pay", cancelled, "10")
    assert refused.code == 1 and "cancelled: only a confirmed (or later) order takes payments" in refused.err


def test_order_list_and_query(shop):
    first = shop("order", "add", "huaqiang", "--line", "CAB-07 10", "--status", "confirmed").out.strip()
    assert shop("order", "add", "acme", "--line", "CONS-DAY 1 @ 100", "--currency", "EUR",
                "--line", "x y 1 @ 5").code == 0
    shop("purchase", "add", "jinglian", "--line", "CAB-07 100 @ 900")
    orders = shop("order", "list", "--format", "json").json()
    assert len(orders) == 2 and all(o["kind"] == "sale" for o in orders)
    big = shop("order", "list", "amount>10000", "--format", "json").json()
    assert [o["id"] for o in big] == [first]
    assert [o["id"] for o in shop("order", "list", "status:confirmed", "--format", "json").json()] == [first]
    assert len(shop("purchase", "list", "--format", "json").json()) == 1
    assert len(shop("order", "list", "--open", "--format", "json").json()) == 2


def test_the_party_view_shows_orders_balances_and_contracts(demo):
    view = demo("show", "huaqiang", "--format", "json").json()
    owed = sum(Decimal(str(o["totals"]["gross"])) - sum(Decimal(str(p["amount"])) for p in o["payments"])
               for o in view["orders"] if o["status"] in ("confirmed", "shipped", "delivered", "closed"))
    assert Decimal(str(view["outstanding"].get("CNY", 0))) == owed
    assert all(o["status"] not in ("closed", "cancelled") or o["status"] == "delivered" for o in view["open_orders"])
    assert view["contracts"] and all(c["party"] == "customers/huaqiang-dianzi" for c in view["contracts"])
    text = demo("show", "huaqiang", "--format", "plain").out
    assert "Sales orders" in text and "Contracts" in text and "outstanding" in text


def test_a_supplier_view_has_purchase_history_and_on_time_delivery(demo):
    text = demo("show", "jinglian-xianlan", "--format", "plain").out
    assert "Purchase orders" in text and "on-time delivery" in text and "% )" not in text
    assert "lifetime purchases" in text and "PO-20251124-RCF9" in text  # closed and paid, still history


def finished(shop, *lines: str, pay: bool) -> str:
    """A sales order taken through to closed, paid in full or not at all."""
    order_id = shop("order", "add", "huaqiang", *(f"--line={line}" for line in lines), "--status", "confirmed",
                    "--date", "2026-11-02").out.strip()
    if pay:
        gross = order_file(shop, order_id)["totals"]["gross"]
        assert shop("pay", order_id, str(gross), "--ref", "TX-9", "--date", "2026-11-10").code == 0
    for move in ("ship", "deliver", "close"):
        assert shop("order", move, order_id).code == 0
    return order_id


def test_a_fully_paid_order_stays_in_the_party_view(shop):
    paid_id = finished(shop, "CAB-07 2", pay=True)
    view = shop("show", "huaqiang", "--format", "json").json()
    assert [o["id"] for o in view["orders"]] == [paid_id] and view["open_orders"] == []
    text = shop("show", "huaqiang", "--format", "plain").out
    assert paid_id in text and "CAB-07 ×2" in text  # the order, what it was for …
    assert "TX-9" in text and "2026-11-10" in text  # … and its payment
    assert "lifetime revenue  2,500.00 CNY net in 1 order, 2026-11-02 to 2026-11-02" in text


def test_the_party_view_lists_recent_orders_newest_first_and_counts_the_rest(shop):
    ids = [shop("order", "add", "huaqiang", "--line", "CAB-07 1", "--date", f"2026-10-{day:02}").out.strip()
           for day in range(1, 13)]
    text = shop("show", "huaqiang", "--format", "plain").out
    shown = [order_id for order_id in ids if order_id in text]
    assert shown == ids[2:] and text.index(ids[-1]) < text.index(ids[2])
    assert "2 more: crm order list party:huaqiang-dianzi" in text
    assert len(shop("order", "list", "party:huaqiang-dianzi", "--format", "json").json()) == 12


def test_an_order_closed_with_money_owed_stays_open(shop):
    owed = finished(shop, "CAB-07 2", pay=False)
    settled = finished(shop, "CAB-07 1", pay=True)
    listed = [o["id"] for o in shop("order", "list", "--open", "--format", "json").json()]
    assert owed in listed and settled not in listed
    view = shop("show", "huaqiang", "--format", "json").json()
    assert [o["id"] for o in view["open_orders"]] == [owed]


def test_products(shop):
    listing = shop("product", "list", "--format", "json").json()
    assert [p["id"] for p in listing] == ["CAB-07", "CONS-DAY"]
    assert listing[0]["supplier"] == "suppliers/jinglian-cable" and listing[0]["price"] == Decimal("1250")
    assert shop("product", "edit", "CAB-07", "--set", "price=1300", "--set", "active=false").code == 0
    assert shop("product", "show", "CAB-07", "--format", "json").json()["active"] is False
    assert shop("product", "add", "CAB-07", "again").code == 1
    assert shop("product", "add", "../x", "bad").code == 1
    order_id = shop("order", "add", "huaqiang", "--line", "CAB-07 1").out.strip()
    assert order_file(shop, order_id)["lines"][0]["unit_price"] == Decimal("1300.00")
    refused = shop("product", "rm", "CAB-07")
    assert refused.code == 1 and order_id in refused.err
    assert shop("product", "rm", "CONS-DAY").code == 0


def test_check_catches_tampered_totals(shop):
    order_id = shop("order", "add", "huaqiang", "--line", "CAB-07 2").out.strip()
    path = shop.root / f"orders/2026/{order_id}.yaml"
    path.write_text(path.read_text().replace("gross: 2825.00", "gross: 2825.01"))
    result = shop("check")
    assert result.code == 1 and "totals.gross is 2825.01 but the lines make 2825.00" in result.out


def at_a_terminal(data, *args: str) -> subprocess.CompletedProcess:
    """`crm ARGS` as typed at a terminal: its stdin is a pseudo-terminal nobody types into."""
    controller, terminal = pty.openpty()
    try:
        return subprocess.run([sys.executable, "-m", "crmcli", "--data-dir", str(data.root), *args],
                              stdin=terminal, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(terminal)
        os.close(controller)


def test_an_order_without_lines_at_a_terminal_says_what_it_expects(shop):
    """It used to wait in silence for YAML on stdin."""
    result = at_a_terminal(shop, "order", "add", "huaqiang")
    assert result.returncode == 1
    assert "no order lines: give --line" in result.stderr and "crm order add PARTY < lines.yaml" in result.stderr
    assert shop.files("orders") == []
    purchase = at_a_terminal(shop, "purchase", "add", "jinglian")
    assert purchase.returncode == 1 and "crm purchase add PARTY < lines.yaml" in purchase.stderr
    party = at_a_terminal(shop, "customer", "add")
    assert party.returncode == 1 and "crm customer add - < record.yaml" in party.stderr
