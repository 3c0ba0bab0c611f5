"""Membership and loyalty points (issue 19, item 7): a member number, points earned on completed
orders and taken back by refunds, redemptions kept in the party's file, tiers from points."""

from decimal import Decimal

import pytest

from crmcli.model.points import points_for


@pytest.fixture
def member(empty):
    """Acme, a member since 2026-01-01 earning 0.1 point per CNY, with three completed sales:
    999.99 CNY (99 points), 100 USD at 7.10 (71 points), and one completed before it joined
    but recorded today (500 points: points follow the day an order is completed)."""
    config = empty.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "rates: {USD: 7.10}\nmembership:\n"
                      "  points_per_unit: 0.1\n", encoding="utf-8")
    assert empty("customer", "add", "Acme", "--id", "acme").code == 0
    joined = empty("points", "acme", "join", "--since", "2026-01-01")
    assert joined.code == 0 and "M000001" in joined.err
    first = empty("order", "add", "acme", "--line", "Widget 3 @ 333.33", "--status", "delivered",
                  "--date", "2026-09-01").out.strip()
    assert empty("order", "complete", first, "--date", "2026-09-05").code == 0
    assert empty("order", "add", "acme", "--line", "Widget 1 @ 100", "--currency", "USD", "--status", "completed",
                 "--date", "2026-10-01").code == 0
    assert empty("order", "add", "acme", "--line", "Widget 1 @ 10000", "--status", "confirmed").code == 0  # not done
    return empty, first


def _points(data, party="acme") -> dict:
    result = data("points", party, "--format", "json")
    assert result.code == 0, result.err
    return result.json()


def test_points_are_earned_on_completed_orders_rounded_down_per_order(member):
    data, first = member
    view = _points(data)
    assert (view["number"], view["since"], view["balance"]) == ("M000001", "2026-01-01", 170)
    assert [(row["what"], row["source"], row["points"], row["balance"]) for row in view["history"]][:1] == [
        ("earned", first, 99, 99)]
    assert [row["points"] for row in view["history"]] == [99, 71]
    assert "M000001 since 2026-01-01, 170 points" in data("show", "acme", "--format", "plain").out


def test_a_refund_takes_back_the_points_of_what_was_refunded(member):
    data, first = member
    path = data.root / "orders/2026" / f"{first}.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "payments: []", "payments:\n  - {date: 2026-09-06, amount: 999.99}\n"
                        "  - {date: 2026-10-10, amount: -500.00, method: refund}")
    path.write_text(text, encoding="utf-8")
    view = _points(data)
    refund = [row for row in view["history"] if row["what"] == "refund"]
    # 499.99 CNY left earns 49 points (not 99 - 50.00 rounded separately): the order is worked out again
    assert [(row["day"], row["source"], row["points"]) for row in refund] == [("2026-10-10", first, -50)]
    assert view["balance"] == 120


def test_redeeming_is_kept_in_the_party_file_and_cannot_overdraw(member):
    data, _first = member
    result = data("points", "acme", "redeem", "100", "--note", "gift basket")
    assert result.code == 0 and "70 left" in result.err
    [entry] = data.read("customers/acme.yaml")["membership"]["redemptions"]
    assert (entry["points"], entry["note"], entry["by"]) == (100, "gift basket", "li") and entry["at"]
    assert _points(data)["balance"] == 70
    before = data.text("customers/acme.yaml")
    refused = data("points", "acme", "redeem", "71")
    assert refused.code == 1 and len(refused.err.strip().splitlines()) == 1 and "70 points" in refused.err
    assert data.text("customers/acme.yaml") == before
    assert data("check").code == 0  # the membership fits the party schema


def test_a_party_that_is_not_a_member_has_no_points(empty):
    assert empty("customer", "add", "Bolt", "--id", "bolt").code == 0
    assert _points(empty, "bolt")["member"] is False
    refused = empty("points", "bolt", "redeem", "1")
    assert refused.code == 1 and "not a member" in refused.err
    assert empty("points", "bolt", "join", "--number", "VIP-7").code == 0
    assert empty("customer", "add", "Cobalt", "--id", "cobalt").code == 0
    taken = empty("points", "cobalt", "join", "--number", "VIP-7")
    assert taken.code == 1 and "customers/bolt" in taken.err
    assert empty("points", "bolt", "join").code == 1  # a member already


def test_tiers_from_points_or_from_revenue_as_configured(member):
    data, _first = member
    config = data.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "tiers: {silver: 100, gold: 10000}\n", encoding="utf-8")
    assert "gold" in data("show", "acme", "--format", "plain").out  # revenue: 11,709.99 CNY of net sales
    config.write_text(config.read_text(encoding="utf-8").replace("points_per_unit: 0.1",
                                                                 "points_per_unit: 0.1\n  tiers_from: points"),
                      encoding="utf-8")
    shown = data("show", "acme", "--format", "plain").out
    assert "silver" in shown and "gold" not in shown  # 170 points earned


def test_the_rounding_rule_is_exact():
    assert points_for(Decimal("999.99"), Decimal("0.1")) == 99
    assert points_for(Decimal("0.1") * 3, Decimal(10)) == 3  # no float error: 0.30000000000000004
    assert points_for(Decimal("-5"), Decimal(1)) == 0


def test_check_finds_a_member_number_given_out_twice(empty):
    """Two clones that each made a member take the same next number; check names the second."""
    for name in ("bolt", "cobalt"):
        assert empty("customer", "add", name.title(), "--id", name, "--force").code == 0
    assert empty("points", "bolt", "join").code == 0
    path = empty.root / "customers/cobalt.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "membership: {number: M000001, since: 2026-11-22}\n",
                    encoding="utf-8")
    result = empty("check")
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert result.code == 1
    assert f"customers/cobalt.yaml:{line}: member number M000001 belongs to customers/bolt" in result.out
