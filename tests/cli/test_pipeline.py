"""Leads and lifecycle, deals through their stages, targets, service tickets, campaigns, tiers."""

from decimal import Decimal

import pytest


@pytest.fixture
def firm(empty):
    """A new data directory with two customers, one with a sales history."""
    assert empty("customer", "add", "深圳市华强电子有限公司", "--lifecycle", "lead", "--owner", "li").code == 0
    assert empty("customer", "add", "Acme Corp", "--owner", "emma").code == 0
    return empty


def test_lifecycle_promote_and_demote_keep_history(firm):
    assert firm("customer", "promote", "huaqiang", "--note", "first meeting").code == 0
    assert firm("customer", "promote", "huaqiang").code == 0
    record = firm.read("customers/huaqiang-dianzi.yaml")
    assert record["lifecycle"] == "customer"
    assert [h["status"] for h in record["lifecycle_history"]] == ["lead", "prospect", "customer"]
    assert record["lifecycle_history"][1]["note"] == "first meeting"
    assert firm("customer", "demote", "huaqiang").code == 0
    assert firm("customer", "promote", "huaqiang", "--to", "inactive").code == 0
    last = firm("customer", "promote", "huaqiang")
    assert last.code == 1 and "last lifecycle stage" in last.err
    leads = firm("customer", "list", "lifecycle:lead", "--format", "json").json()
    assert leads == []
    assert firm("customer", "promote", "huaqiang", "--to", "boss").code == 1


def test_deal_stages_history_and_refusals(firm):
    deal_id = firm("deal", "add", "huaqiang", "2027 framework", "--amount", "1200000", "--stage", "proposal",
                   "--close", "2026-12-31", "--source", "referral").out.strip()
    assert deal_id.startswith("DL-20261122-")
    assert firm("deal", "move", deal_id, "negotiation", "--note", "price agreed").code == 0
    unknown = firm("deal", "move", deal_id, "signing")
    assert unknown.code == 1 and "unknown stage 'signing'" in unknown.err
    deal = firm.read(f"opportunities/{deal_id}.yaml")
    assert [h["status"] for h in deal["history"]] == ["proposal", "negotiation"]
    assert deal["history"][1]["note"] == "price agreed"
    listing = firm("deal", "list", "--format", "json").json()
    assert listing[0]["stage"] == "negotiation"
    plain = firm("deal", "list", "--format", "plain").out
    assert "900,000.00" in plain  # 75% of 1,200,000
    lost_without_reason = firm("deal", "lost", deal_id, "--reason", " ")
    assert lost_without_reason.code == 1
    assert firm("deal", "lost", deal_id, "--reason", "chose a competitor").code == 0
    moved = firm("deal", "move", deal_id, "proposal")
    assert moved.code == 1 and "closed deal" in moved.err
    assert firm.read(f"opportunities/{deal_id}.yaml")["lost_reason"] == "chose a competitor"


@pytest.mark.parametrize("args, message", [
    (["--probability", "150"], "between 0 and 100"),
    (["--probability", "-1"], "between 0 and 100"),
    (["--stage", "dreaming"], "unknown stage"),
    (["--amount", "lots"], "not a number"),
    (["--close", "someday"], "invalid date"),
])
def test_bad_deals_write_nothing(firm, args, message):
    result = firm("deal", "add", "huaqiang", "x", *args)
    assert result.code == 1 and message in result.err
    assert not (firm.root / "opportunities").exists() or firm.files("opportunities") == []


def test_a_won_deal_becomes_a_sales_order(firm):
    deal_id = firm("deal", "add", "acme", "Consulting 2027", "--amount", "50000", "--currency", "EUR").out.strip()
    result = firm("deal", "won", deal_id, "--order")
    assert result.code == 0, result.err
    order_id = result.out.strip()
    order = firm.read(f"orders/2026/{order_id}.yaml")
    assert order["deal"] == f"opportunities/{deal_id}" and order["status"] == "confirmed"
    assert order["currency"] == "EUR" and order["totals"]["net"] == Decimal("50000.00")
    assert order["owner"] == "emma"
    assert firm.read(f"opportunities/{deal_id}.yaml")["order"] == f"orders/2026/{order_id}"
    assert firm("deal", "won", deal_id).code == 1


def test_targets_count_only_orders_that_count(firm):
    firm("product", "add", "X-1", "Widget", "--price", "1000", "--tax-rate", "13%")
    firm("order", "add", "huaqiang", "--line", "X-1 10", "--status", "confirmed", "--date", "2026-10-05")
    firm("order", "add", "huaqiang", "--line", "X-1 50", "--status", "confirmed", "--date", "2026-10-06", "--special")
    firm("order", "add", "huaqiang", "--line", "X-1 99", "--date", "2026-10-07")  # a draft: not a sale yet
    assert firm("target", "set", "li", "2026-Q4", "40000").code == 0
    assert firm("target", "set", "all", "2026", "100000").code == 0
    targets = {t["id"]: t for t in firm("target", "list", "--format", "json").json()}
    assert Decimal(str(targets["li-2026-q4"]["attained"])) == Decimal("10000.00")
    assert targets["li-2026-q4"]["percent"] == "25%"
    assert targets["all-2026"]["owner"] == "(business)"
    assert firm("target", "set", "li", "2026-Q4", "20000").code == 0
    assert len(firm("target", "list", "--format", "json").json()) == 2


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "26", "2026-10-01..2026-12-31"])
def test_malformed_target_periods(firm, period):
    result = firm("target", "set", "li", period, "1000")
    assert result.code == 1
    assert not (firm.root / "targets").exists() or firm.files("targets") == []


def test_tickets_service_levels_and_their_life(firm):
    ticket_id = firm("ticket", "open", "huaqiang", "Reel damaged", "--priority", "urgent",
                     "--category", "complaint").out.strip()
    ticket = firm.read(f"tickets/{ticket_id}.yaml")
    from datetime import datetime, timedelta

    opened = datetime.fromisoformat(ticket["opened"])
    assert datetime.fromisoformat(ticket["due"]) - opened == timedelta(hours=4)
    assert ticket["status"] == "open" and ticket["category"] == "complaint"
    refused = firm("ticket", "close", ticket_id, "--satisfaction", "5")
    assert refused.code == 1 and "resolve it" in refused.err
    assert firm("ticket", "update", ticket_id, "--status", "in-progress", "--note", "courier booked").code == 0
    assert firm("ticket", "resolve", ticket_id, "--resolution", "replaced the reel").code == 0
    assert firm("ticket", "close", ticket_id, "--satisfaction", "6").code == 1
    assert firm("ticket", "close", ticket_id, "--satisfaction", "4").code == 0
    ticket = firm.read(f"tickets/{ticket_id}.yaml")
    assert [h["status"] for h in ticket["history"]] == ["open", "in-progress", "resolved", "closed"]
    assert ticket["satisfaction"] == 4 and ticket["resolution"] == "replaced the reel"


def test_a_ticket_past_its_service_level_is_breached(firm):
    ticket_id = firm("--today", "2026-11-10", "ticket", "open", "acme", "Invoice wrong",
                     "--priority", "high").out.strip()
    rows = firm("ticket", "list", "--format", "plain").out
    assert "breached" in rows
    view = firm("ticket", "show", ticket_id, "--format", "plain").out
    assert "breached" in view


def test_campaign_members_responses_and_attribution(firm):
    campaign_id = firm("campaign", "add", "Canton Fair", "--channel", "event", "--budget", "20000",
                       "--start", "2026-10-15", "--end", "2026-10-19").out.strip()
    added = firm("campaign", "add-members", campaign_id, "kind:customer")
    assert added.code == 0 and "2 member(s) added" in added.err
    assert "0 member(s) added" in firm("campaign", "add-members", campaign_id, "kind:customer").err
    assert firm("log", "acme", "email", "replied", "--campaign", campaign_id).code == 0
    deal_id = firm("deal", "add", "acme", "Fair lead", "--amount", "80000", "--source", campaign_id).out.strip()
    firm("deal", "won", deal_id)
    view = firm("campaign", "show", campaign_id, "--format", "json").json()
    assert len(view["members"]) == 2 and view["responses"] == 1
    assert Decimal(str(view["response_rate"])) == Decimal("0.5")
    assert view["deals"] == [deal_id] and Decimal(str(view["won_revenue"])) == Decimal("80000.00")
    assert "20,000.00 CNY" in firm("campaign", "show", campaign_id, "--format", "plain").out
    assert firm("campaign", "add", "x", "--channel", "fax").code == 2


def test_tiers_from_trailing_sales(firm):
    firm("product", "add", "X-1", "Widget", "--price", "1000")
    firm("order", "add", "huaqiang", "--line", "X-1 600", "--status", "confirmed")
    firm("order", "add", "acme", "--line", "X-1 150", "--status", "confirmed", "--date", "2025-01-01")
    gold = firm("customer", "list", "tier:gold", "--format", "json").json()
    assert [p["id"] for p in gold] == ["huaqiang-dianzi"]
    assert firm("show", "huaqiang", "--format", "json").json()["tier"] == "gold"
    assert firm("show", "acme", "--format", "json").json()["tier"] == "standard"


def test_the_party_view_lists_deals_and_tickets(firm):
    firm("deal", "add", "huaqiang", "Deal A", "--amount", "1")
    firm("ticket", "open", "huaqiang", "Ticket A")
    view = firm("show", "huaqiang", "--format", "json").json()
    assert [d["title"] for d in view["deals"]] == ["Deal A"]
    assert [t["subject"] for t in view["tickets"]] == ["Ticket A"]


def test_a_target_for_an_owner_nobody_is_warns_of_the_spelling(demo):
    """Owners are free text: `crm target set lii …` made a target no order could count toward,
    without a word. It is still set (a new colleague owns nothing yet), with a warning."""
    typo = demo("target", "set", "lii", "2026-12", "100000")
    assert typo.code == 0 and "target lii-2026-12: 100000.00 CNY" in typo.err
    assert "no customer or supplier is owned by 'lii' yet (owners: emma, li, wang)" in typo.err
    known = demo("target", "set", "emma", "2026-12", "100000")
    assert known.code == 0 and "owned by" not in known.err
