"""Receivables and payables aging, the pipeline, suppliers, service and targets reports."""

from datetime import date
from decimal import Decimal

import pytest

from conftest import ROOT
from crmcli.store import codec

GOLDEN = ROOT / "tests" / "golden"
OWING = ("confirmed", "shipped", "delivered", "closed")


@pytest.mark.parametrize("report", ["receivables", "payables", "pipeline", "suppliers", "service", "targets",
                                    "segments", "forecast"])
def test_plain_output_matches_the_golden_file(demo, report):
    golden = (GOLDEN / f"report-{report}.txt").read_text(encoding="utf-8")
    assert demo("report", report, "--format", "plain").out == golden


def test_receivables_equal_what_the_order_files_say_is_owed(demo):
    expected: dict[str, Decimal] = {}
    buckets: dict[str, Decimal] = {}
    for path in demo.files("orders"):
        order = codec.decode(path.read_bytes())
        if order["kind"] != "sale" or order["status"] not in OWING:
            continue
        owed = order["totals"]["gross"] - sum((p["amount"] for p in order.get("payments") or []), Decimal(0))
        if owed > 0 and order["currency"] == "CNY":
            expected[order["party"]] = expected.get(order["party"], Decimal(0)) + owed
            late = (date(2026, 11, 22) - date.fromisoformat(order.get("payment_due") or order["date"])).days
            if late > 90:
                buckets["over 90"] = buckets.get("over 90", Decimal(0)) + owed
    report = demo("report", "receivables", "--format", "json").json()["CNY"]
    assert Decimal(str(report["total"]["total"])) == sum(expected.values())
    assert Decimal(str(report["total"]["over 90"])) == buckets.get("over 90", Decimal(0))


def test_pipeline_counts_every_deal_once(demo):
    deals = [codec.decode(p.read_bytes()) for p in demo.files("opportunities")]
    report = demo("report", "pipeline", "--format", "json").json()
    assert sum(row["deals"] for row in report["stages"]) == len(deals)
    lost = [d for d in report["closed"] if d["stage"] == "lost"]
    assert lost and all(d.get("lost_reason") for d in lost)
    assert demo("report", "pipeline", "--period", "2026-Q5").code == 1


def test_supplier_scorecard_on_time_rate(demo):
    rows = {r["supplier"]: r for r in demo("report", "suppliers", "--format", "json").json()["suppliers"]}
    jinglian = rows["东莞市精联线缆有限公司"]
    assert jinglian["on_time"].endswith("%") and jinglian["rating"] == "3.5"


def test_service_report_totals(demo):
    tickets = [codec.decode(p.read_bytes()) for p in demo.files("tickets")]
    report = demo("report", "service", "--format", "json").json()
    assert sum(report["total"][s] for s in ("open", "in-progress", "resolved", "closed")) == len(tickets)
    assert report["total"]["breached"] >= 2


def test_log_rating_is_validated(demo):
    assert demo("log", "jinglian", "note", "ok", "--rating", "6").code == 2
    assert demo("log", "jinglian", "note", "ok", "--rating", "5").code == 0


def test_reports_on_an_empty_data_directory(empty):
    for report in ("receivables", "payables", "pipeline", "suppliers", "service", "targets", "segments"):
        result = empty("report", report, "--format", "json")
        assert result.code == 0, (report, result.err)
    assert "three complete months" in empty("report", "forecast").err


def test_segments_cover_every_customer_and_filter(demo):
    report = demo("report", "segments", "--format", "json").json()
    assert sum(row["customers"] for row in report["segments"]) == len(demo.files("customers"))
    at_risk = demo("report", "segments", "--segment", "at-risk", "--format", "json").json()["customers"]
    assert all(row["segment"] == "at-risk" for row in at_risk)
    assert demo("report", "segments", "--segment", "vip").code == 1


def test_holt_follows_a_straight_line():
    from decimal import Decimal

    from crmcli.reports.forecast import fit

    series = [Decimal(100 + 10 * month) for month in range(12)]
    alpha, beta, level, trend = fit(series)
    assert abs(level + trend - Decimal(220)) < Decimal("0.001")


def test_forecast_refuses_zero_months(demo):
    result = demo("report", "forecast", "--months", "0")
    assert result.code == 1 and "--months" in result.err
    rows = demo("report", "forecast", "--months", "2", "--format", "json").json()
    assert len(rows["forecast"]) == 2 and len(rows["backtest"]) == 6 and rows["mape"] is not None


def test_a_missing_rate_is_refused_by_every_report_that_converts(demo):
    """One policy (issue 17): forecast and segments used to drop the orders in a currency
    without a rate and exit 0 with smaller numbers (the demo's 2026-11 forecast fell from
    1,515,098 to 1,213,417); like `ledger --convert`, every report now refuses, saying which
    rate is missing, and writes nothing to stdout."""
    config = demo.root / "crm.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(", GBP: 9.05", ""), encoding="utf-8")
    for args in (["report", "forecast"], ["report", "segments"], ["report", "targets"],
                 ["ledger", "--by", "year", "--convert", "CNY"]):
        result = demo(*args)
        assert (result.code, result.out) == (1, ""), args
        assert "no exchange rate for GBP" in result.err and len(result.err.strip().splitlines()) == 1, args


def test_show_today_and_segments_agree_when_a_customer_is_due_for_contact(demo):
    """One follow-up rule (issue 17): a customer never contacted is due its cadence after it was
    created, in `crm show`, `crm today` and `report segments` alike (show said nothing and
    segments said "due today")."""
    assert demo("customer", "add", "Zed Trading", "--id", "zed-trading").code == 0
    path = demo.root / "customers/zed-trading.yaml"
    text = path.read_text(encoding="utf-8")
    created = next(line for line in text.splitlines() if line.startswith("created:"))
    path.write_text(text.replace(created, "created: 2026-01-01T09:00:00+08:00"), encoding="utf-8")
    due = "2026-01-31"  # the demo's cadence is 30 days
    assert f"next contact due {due}" in demo("show", "zed-trading", "--format", "plain").out
    assert any(row["ref"] == "customers/zed-trading" and row["due"] == due
               for row in demo("today", "--format", "json").json()["overdue"])
    overdue = demo("report", "segments", "--format", "json").json()["overdue"]
    assert [row["due"] for row in overdue if row["customer"] == "Zed Trading"] == [due]


def test_an_overdue_undelivered_purchase_order_counts_as_late(empty):
    """A supplier who never delivers must not look punctual: open POs past due are late, in the
    scorecard and in the supplier's own view alike (`crm show` said 100% where the scorecard
    said 50%)."""
    assert empty("supplier", "add", "Jinglian Cable", "--id", "jinglian").code == 0
    on_time = empty("purchase", "add", "jinglian", "--line", "Cable 1 @ 10", "--status", "confirmed",
                    "--date", "2026-11-01", "--delivery-due", "2026-11-10").out.strip()
    assert empty("purchase", "deliver", on_time, "--date", "2026-11-09").code == 0
    assert empty("purchase", "add", "jinglian", "--line", "Cable 1 @ 10", "--status", "confirmed",
                 "--date", "2026-11-01", "--delivery-due", "2026-11-12").code == 0  # ten days overdue on 2026-11-22, not delivered
    [row] = empty("report", "suppliers", "--format", "json").json()["suppliers"]
    assert (row["on_time"], row["delay"]) == ("50%", "4.5")
    assert "1 of 2 on time (50%)" in empty("show", "jinglian", "--format", "plain").out
