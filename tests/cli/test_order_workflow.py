"""The order machine a sales manager can trust: draft → submitted (under review) → confirmed →
shipped (in parts, with carrier and tracking) → delivered → completed, every move with who and
when; payments only once confirmed; money on a cancelled order refunded or kept as credit; an
overpayment the same credit in every report."""

from decimal import Decimal

import pytest


@pytest.fixture
def shop(empty):
    assert empty("customer", "add", "Acme Corp", "--id", "acme").code == 0
    assert empty("supplier", "add", "Jinglian Cable", "--id", "jinglian").code == 0
    assert empty("product", "add", "CAB-07", "Shielded cable", "--price", "100").code == 0
    assert empty("product", "add", "CAB-09", "Copper cable", "--price", "50").code == 0
    return empty


def ok(result):
    assert result.code == 0, result.err
    return result.out.strip()


def order_file(data, order_id):
    return data.read(f"orders/{order_id[3:7]}/{order_id}.yaml")


def add(data, *args, party="acme", kind="order"):
    return ok(data(kind, "add", party, "--line", "CAB-07 10", "--line", "CAB-09 4", *args))


def test_review_then_confirm_with_who_and_when(shop):
    order_id = add(shop, "--date", "2026-11-10")  # a move is never dated before its order
    ok(shop("order", "submit", order_id, "--by", "li"))
    ok(shop("order", "revise", order_id, "--by", "wang", "--note", "price too low"))
    ok(shop("order", "submit", order_id))
    ok(shop("order", "confirm", order_id, "--by", "wang", "--date", "2026-11-21"))
    history = order_file(shop, order_id)["history"]
    assert [(h["status"], h.get("by")) for h in history] == [
        ("draft", "li"), ("submitted", "li"), ("draft", "wang"), ("submitted", "li"), ("confirmed", "wang")]
    assert history[-1]["at"].startswith("2026-11-21T") and history[1]["at"].startswith("2026-11-22T")


@pytest.mark.parametrize("kind", ["order", "purchase"])
def test_a_draft_is_reviewed_before_it_is_confirmed(shop, kind):
    order_id = add(shop, party="acme" if kind == "order" else "jinglian", kind=kind)
    refused = shop(kind, "confirm", order_id)
    assert refused.code == 1 and len(refused.err.strip().splitlines()) == 1
    assert f"submit it for review first (crm {kind} submit {order_id})" in refused.err
    assert order_file(shop, order_id)["status"] == "draft"
    ok(shop(kind, "submit", order_id))
    ok(shop(kind, "confirm", order_id))
    assert [h["status"] for h in order_file(shop, order_id)["history"]] == ["draft", "submitted", "confirmed"]


def test_a_firm_of_one_confirms_a_draft_at_once(shop):
    with open(shop.root / "crm.yaml", "a", encoding="utf-8") as settings:
        settings.write("orders: {review: false}\n")
    order_id = add(shop)
    ok(shop("order", "confirm", order_id))
    assert [h["status"] for h in order_file(shop, order_id)["history"]] == ["draft", "confirmed"]
    added = add(shop, "--status", "confirmed")
    assert [h["status"] for h in order_file(shop, added)["history"]] == ["draft", "confirmed"]
    assert shop("check").code == 0


def test_partial_shipments_with_carrier_tracking_and_the_date_given(shop):
    order_id = add(shop, "--status", "confirmed", "--date", "2026-10-25")
    ok(shop("order", "ship", order_id, "--item", "CAB-07=4", "--carrier", "SF Express", "--tracking", "SF1234",
            "--date", "2026-11-01"))
    too_many = shop("order", "ship", order_id, "--item", "CAB-07=7")
    assert too_many.code == 1 and "7 is more than the 6 still to ship" in too_many.err
    ok(shop("order", "ship", order_id, "--item", "2=4", "--item", "CAB-07=6", "--date", "2026-11-03"))
    ok(shop("order", "deliver", order_id, "--date", "2026-11-05"))
    order = order_file(shop, order_id)
    assert order["shipments"] == [
        {"date": "2026-11-01", "carrier": "SF Express", "tracking": "SF1234",
         "lines": [{"line": 1, "sku": "CAB-07", "quantity": 4}], "by": "li"},
        {"date": "2026-11-03", "lines": [{"line": 1, "sku": "CAB-07", "quantity": 6},
                                         {"line": 2, "sku": "CAB-09", "quantity": 4}], "by": "li"}]
    shipped = [h for h in order["history"] if h["status"] == "shipped"]
    assert [(h["at"][:10], h["note"]) for h in shipped] == [("2026-11-01", "partial"), ("2026-11-03", "in full")]
    assert order["delivered"] == "2026-11-05" and order["history"][-1]["at"].startswith("2026-11-05T")
    nothing_left = shop("order", "ship", order_id)
    assert nothing_left.code == 1
    ok(shop("order", "complete", order_id))
    assert order_file(shop, order_id)["status"] == "completed"
    shown = ok(shop("order", "show", order_id, "--format", "plain"))
    assert "SF1234" in shown and "CAB-07 × 4" in shown


def test_a_purchase_order_is_received_the_same_way(shop):
    order_id = add(shop, "--status", "confirmed", "--date", "2026-10-25", party="jinglian", kind="purchase")
    assert shop("purchase", "ship", order_id).code == 2  # a purchase is received, not shipped
    ok(shop("purchase", "receive", order_id, "--item", "CAB-07=10", "--date", "2026-11-02"))
    order = order_file(shop, order_id)
    assert order["status"] == "shipped" and order["receipts"][0]["date"] == "2026-11-02"
    assert "shipments" not in order


def test_an_order_added_as_shipped(shop):
    order_id = add(shop, "--status", "shipped", "--date", "2026-11-20")
    order = order_file(shop, order_id)
    assert [h["status"] for h in order["history"]] == ["draft", "submitted", "confirmed", "shipped"]
    assert order["shipments"][0]["date"] == "2026-11-20" and len(order["shipments"][0]["lines"]) == 2
    wrong = shop("order", "add", "acme", "--line", "CAB-07 1", "--status", "closed")
    assert wrong.code == 1 and "None" not in wrong.err and "a new order is draft" in wrong.err


def test_edit_while_draft_or_under_review_only(shop):
    order_id = add(shop)
    ok(shop("order", "edit", order_id, "--line", "CAB-07 12", "--delivery-due", "2026-12-01"))
    order = order_file(shop, order_id)
    assert order["totals"]["gross"] == Decimal("1200.00") and order["delivery_due"] == "2026-12-01"
    assert order["history"][-1]["note"] == "edited: lines, delivery_due"
    early = shop("order", "edit", order_id, "--payment-due", "2025-12-01")
    assert early.code == 1 and "payment_due: 2025-12-01 is before date" in early.err
    assert order_file(shop, order_id).get("payment_due") != "2025-12-01"
    ok(shop("order", "submit", order_id))
    ok(shop("order", "edit", order_id, "--reference", "PO-778"))
    ok(shop("order", "confirm", order_id))
    refused = shop("order", "edit", order_id, "--line", "CAB-07 1")
    assert refused.code == 1 and "only a draft or an order under review can be edited" in refused.err
    assert order_file(shop, order_id)["totals"]["gross"] == Decimal("1200.00")


@pytest.mark.parametrize("moves", [[], ["submit"]])
def test_no_payment_before_the_order_is_confirmed(shop, moves):
    order_id = add(shop)
    for move in moves:
        ok(shop("order", move, order_id))
    refused = shop("pay", order_id, "100")
    assert refused.code == 1 and "only a confirmed (or later) order takes payments" in refused.err
    assert order_file(shop, order_id)["payments"] == []


def test_a_cancelled_order_with_payments_is_refunded_or_kept_as_credit(shop):
    refunded = add(shop, "--status", "confirmed", "--date", "2026-11-01")
    ok(shop("pay", refunded, "300", "--date", "2026-11-20"))
    refused = shop("order", "cancel", refunded)
    assert refused.code == 1 and "holds 300.00 CNY of payments" in refused.err
    assert order_file(shop, refunded)["status"] == "confirmed"
    ok(shop("order", "cancel", refunded, "--refund", "--date", "2026-11-21"))
    assert order_file(shop, refunded)["payments"][-1] == {
        "date": "2026-11-21", "amount": Decimal("-300.00"), "method": "refund", "note": "refund by li"}

    kept = add(shop, "--status", "confirmed")
    ok(shop("pay", kept, "500"))
    ok(shop("order", "cancel", kept, "--credit"))
    assert order_file(shop, kept)["credit_note"] == {"date": "2026-11-22", "amount": Decimal("500.00")}
    assert "500.00 CNY (credit)" in ok(shop("show", "acme", "--format", "plain"))
    following = ok(shop("order", "add", "acme", "--line", "CAB-07 3", "--status", "confirmed"))
    assert ok(shop("pay", following, "300", "--from-credit")) == "0.00 CNY outstanding"
    assert "200.00 CNY (credit)" in ok(shop("show", "acme", "--format", "plain"))
    short = shop("pay", add(shop, "--status", "confirmed"), "250", "--from-credit")
    assert short.code == 1 and "only 200.00 CNY of credit" in short.err


def test_an_overpayment_is_the_same_credit_everywhere(shop):
    first = add(shop, "--status", "confirmed")  # 1,200.00
    ok(shop("order", "add", "acme", "--line", "CAB-07 5", "--status", "confirmed"))  # 500.00
    assert ok(shop("pay", first, "1205", "--allow-overpay")) == "5.00 CNY credit"
    shown = ok(shop("show", "acme", "--format", "plain"))
    assert "495.00 CNY (after 5.00 CNY credit)" in shown
    [row] = shop("report", "receivables", "--format", "json").json()["CNY"]["rows"]
    assert (row["credit"], row["total"]) == (Decimal("-5.00"), Decimal("495.00"))
    [ledger] = shop("ledger", "--by", "customer", "--format", "json").json()["currencies"]["CNY"]["rows"]
    assert ledger["outstanding"] == Decimal("495.00")
    journal = ok(shop("export", "beancount"))
    receivable = sum(Decimal(line.split()[1]) for line in journal.splitlines()
                     if line.strip().startswith("Assets:Receivables:CNY"))
    assert receivable == Decimal("495.00")
