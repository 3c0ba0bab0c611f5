"""Reports that say what they mean (issue 19, item 6): segments by lifecycle and recency,
supplier punctuality with overdue open orders, campaign revenue from orders, ticket contacts."""

from decimal import Decimal

import pytest


def _segments(data) -> dict[str, str]:
    result = data("report", "segments", "--format", "json")
    assert result.code == 0, result.err
    return {row["id"]: row["segment"] for row in result.json()["customers"]}


def _customer(data, name: str, *args: str, on: str | None = None) -> None:
    when = ["--today", on] if on else []
    assert data(*when, "customer", "add", name, "--id", name, "--force", *args).code == 0


def _sale(data, party: str, day: str) -> None:
    result = data("order", "add", party, "--line", "Consulting 1 @ 1000", "--date", day, "--status", "confirmed")
    assert result.code == 0, result.err


def test_leads_prospects_and_brand_new_customers_are_not_lost(empty):
    _customer(empty, "lead", "--lifecycle", "lead")
    _customer(empty, "prospect", "--lifecycle", "prospect")
    _customer(empty, "fresh")
    _customer(empty, "first-order", on="2025-01-10")
    _sale(empty, "first-order", "2026-11-01")
    assert _segments(empty) == {"lead": "lead", "prospect": "prospect", "fresh": "new", "first-order": "new"}


def test_active_at_risk_and_lost_follow_the_last_order_or_contact(empty):
    for name in ("active", "contacted", "at-risk", "lost", "gone"):
        _customer(empty, name, on="2025-01-10")
    _customer(empty, "inactive", "--lifecycle", "inactive")
    _sale(empty, "active", "2025-02-01")
    _sale(empty, "active", "2026-10-01")
    _sale(empty, "contacted", "2025-02-01")
    assert empty("--today", "2026-11-01", "log", "contacted", "call", "still interested").code == 0
    _sale(empty, "at-risk", "2026-04-01")  # 235 days before 2026-11-22
    _sale(empty, "lost", "2025-06-01")
    _sale(empty, "lost", "2027-01-05")  # a future order does not make it active today
    expected = {"active": "active", "contacted": "active", "at-risk": "at-risk", "lost": "lost", "gone": "lost",
                "inactive": "lost"}
    assert _segments(empty) == expected
    only = empty("report", "segments", "--segment", "at-risk", "--format", "json").json()["customers"]
    assert [row["id"] for row in only] == ["at-risk"]


def test_segment_thresholds_come_from_crm_yaml(empty):
    _customer(empty, "at-risk", on="2025-01-10")
    _sale(empty, "at-risk", "2026-04-01")
    config = empty.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "segments:\n  at_risk_after: 300d\n  new_for: 30d\n",
                      encoding="utf-8")
    assert _segments(empty) == {"at-risk": "active"}
    config.write_text(config.read_text(encoding="utf-8").replace("300d", "nine days"), encoding="utf-8")
    result = empty("report", "segments")
    assert result.code == 3 and "crm.yaml" in result.err and "at_risk_after" in result.err


@pytest.fixture
def campaign(empty):
    """A campaign running 2026-10-01 to 2026-10-31 that brought one customer (a response) and one
    deal (won) with another; a third customer had nothing to do with it."""
    for name in ("responder", "dealer", "bystander"):
        _customer(empty, name, on="2026-01-05")
    campaign_id = empty("campaign", "add", "Autumn fair", "--channel", "event", "--start", "2026-10-01",
                        "--end", "2026-10-31", "--budget", "1000").out.strip()
    assert empty("--today", "2026-10-05", "log", "responder", "visit", "came to the stand",
                 "--campaign", campaign_id).code == 0
    deal = empty("--today", "2026-10-06", "deal", "add", "dealer", "Big cable deal", "--amount", "5000",
                 "--source", f"campaigns/{campaign_id}")
    assert deal.code == 0, deal.err
    return empty, campaign_id


def test_campaign_revenue_is_the_orders_of_its_customers_within_its_window(campaign):
    data, campaign_id = campaign
    _sale(data, "responder", "2026-10-10")  # counts
    _sale(data, "responder", "2026-11-10")  # after the campaign ended
    _sale(data, "dealer", "2026-10-20")  # counts
    _sale(data, "bystander", "2026-10-15")  # not the campaign's customer
    view = data("campaign", "show", campaign_id, "--format", "json").json()
    assert Decimal(str(view["revenue"])) == Decimal("2000.00")
    assert sorted(view["customers"]) == ["customers/dealer", "customers/responder"]
    assert Decimal(str(view["won_revenue"])) == Decimal("0")  # the deal is shown apart, not yet won
    plain = data("campaign", "show", campaign_id, "--format", "plain").out
    assert "2,000.00" in plain and "Big cable deal" in plain


def test_a_ticket_contact_must_be_a_contact_of_the_party(demo):
    before = len(demo.files("tickets"))
    result = demo("ticket", "open", "huaqiang", "Broken reel", "--contact", "Nobody Here")
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1
    assert "Nobody Here" in result.err and "huaqiang" in result.err
    assert len(demo.files("tickets")) == before
    assert demo("ticket", "open", "huaqiang", "Broken reel", "--contact", "张伟").code == 0
