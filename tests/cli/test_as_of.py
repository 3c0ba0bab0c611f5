"""`--today DAY` bounds every view: nothing dated after the day appears or counts (an order
dated later is in no list, 360° view, ledger or report; a payment made later is not paid
yet; a ticket, contract or deal opened later does not exist yet), while parties and products,
which are not dated events, are there whenever they were typed in. The bound lives in one
place (the store's questions), so these views are checked together."""

from decimal import Decimal

import pytest

AS_OF = "2026-11-10"


def ok(result):
    assert result.code == 0, result.err
    return result.out.strip()


def _data_dir(tmp_path_factory, customer: str, customer_id: str):
    """A fresh data directory with one customer and the product CAB-07 at 100: its `crm`."""
    from tests.conftest import run_crm

    root = tmp_path_factory.mktemp("as-of") / "data"
    ok(run_crm("init", root, "--no-git", "--name", "Test Co", "--me", "li", "--timezone", "Asia/Shanghai"))

    def crm(*args):
        return run_crm("--data-dir", root, *args)

    ok(crm("customer", "add", customer, "--id", customer_id))
    ok(crm("product", "add", "CAB-07", "Shielded cable", "--price", "100"))
    return crm


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """Acme with an order of 1,130.00 dated 11-05 (paid 300 on 11-08 and 200 on 11-15), one
    dated 11-18, and a ticket, contract and deal opened on 11-22 (the pinned today)."""
    crm = _data_dir(tmp_path_factory, "Acme Corp", "acme")
    early = ok(crm("order", "add", "acme", "--line", "CAB-07 10 tax 13%", "--date", "2026-11-05",
                   "--status", "confirmed"))
    ok(crm("pay", early, "300", "--date", "2026-11-08"))
    ok(crm("pay", early, "200", "--date", "2026-11-15"))
    late = ok(crm("order", "add", "acme", "--line", "CAB-07 3", "--date", "2026-11-18", "--status", "confirmed"))
    ok(crm("ticket", "open", "acme", "Cable too short"))
    ok(crm("deal", "add", "acme", "Framework 2027", "--amount", "90000"))
    ok(crm("contract", "new", "acme", "--template", "framework-agreement"))
    return crm, early, late


def test_orders_dated_later_are_in_no_list_view_or_ledger(history):
    crm, early, late = history
    assert [o["id"] for o in crm("order", "list", "--format", "json").json()] == [late, early]
    assert [o["id"] for o in crm("--today", AS_OF, "order", "list", "--format", "json").json()] == [early]
    shown = ok(crm("--today", AS_OF, "show", "acme", "--format", "plain"))
    assert early in shown and late not in shown
    rows = crm("--today", AS_OF, "ledger", "--format", "json").json()["currencies"]["CNY"]["rows"]
    assert [row["id"] for row in rows] == [early]
    assert crm("--today", AS_OF, "order", "show", late).code == 1


def test_a_payment_made_later_is_not_paid_yet(history):
    crm, early, _late = history
    order = crm("--today", AS_OF, "order", "show", early, "--format", "json").json()
    assert [p["amount"] for p in order["payments"]] == [Decimal("300.00")]
    [row] = crm("--today", AS_OF, "ledger", "--format", "json").json()["currencies"]["CNY"]["rows"]
    assert row["outstanding"] == Decimal("830.00")
    [owed] = crm("--today", AS_OF, "report", "receivables", "--format", "json").json()["CNY"]["rows"]
    assert owed["total"] == Decimal("830.00")
    grouped = crm("--today", AS_OF, "ledger", "--by", "customer", "--format", "json").json()
    assert grouped["currencies"]["CNY"]["rows"][0]["outstanding"] == Decimal("830.00")
    assert "830.00 CNY" in ok(crm("--today", AS_OF, "show", "acme", "--format", "plain"))
    assert crm("--today", AS_OF, "order", "list", "--open", "--format", "json").json()[0]["id"] == early
    assert crm("--today", "2026-11-16", "report", "receivables", "--format", "json").json()["CNY"]["rows"][0][
        "total"] == Decimal("630.00")


@pytest.mark.parametrize("view", [("ticket", "list"), ("contract", "list"), ("deal", "list")])
def test_records_opened_later_do_not_exist_yet(history, view):
    crm, _early, _late = history
    assert len(crm(*view, "--format", "json").json()) == 1
    assert crm("--today", AS_OF, *view, "--format", "json").json() == []


def test_reports_count_nothing_dated_later(history):
    crm, _early, _late = history
    pipeline = crm("report", "pipeline", "--format", "json").json()
    assert ok(crm("--today", AS_OF, "report", "pipeline", "--format", "plain")) != ok(
        crm("report", "pipeline", "--format", "plain"))
    assert pipeline
    ytd = crm("--today", AS_OF, "ledger", "--by", "month", "--format", "json").json()["currencies"]["CNY"]
    assert [row["gross"] for row in ytd["rows"]] == [Decimal("1130.00")]


def test_parties_and_products_are_there_whatever_the_day(history):
    crm, _early, _late = history
    assert [p["id"] for p in crm("--today", "2026-01-01", "customer", "list", "--format", "json").json()] == ["acme"]
    assert crm("--today", "2026-01-01", "product", "list", "--format", "json").json()


def test_check_and_writes_still_see_every_day(history):
    crm, _early, _late = history
    assert crm("--today", AS_OF, "check").code == 0
    refused = crm("--today", AS_OF, "customer", "rm", "acme")
    assert refused.code == 1 and "referred to by" in refused.err


@pytest.fixture(scope="module")
def moves(tmp_path_factory):
    """Beta with a November target and an order of 1,000.00 dated 11-05: a draft that day,
    submitted on 11-06, confirmed on 11-15 (after the pinned day) and shipped on 11-20; and
    a ticket opened on 11-05 and taken up on 11-15."""
    crm = _data_dir(tmp_path_factory, "Beta Ltd", "beta")
    ok(crm("target", "set", "all", "2026-11", "10000"))
    order = ok(crm("--today", "2026-11-05", "order", "add", "beta", "--line", "CAB-07 10", "--date", "2026-11-05"))
    ok(crm("order", "submit", order, "--date", "2026-11-06"))
    ok(crm("order", "confirm", order, "--date", "2026-11-15"))
    ok(crm("order", "ship", order, "--date", "2026-11-20"))
    ticket = ok(crm("--today", "2026-11-05", "ticket", "open", "beta", "Cable too short")).split()[0]
    ok(crm("--today", "2026-11-15", "ticket", "update", ticket, "--status", "in-progress"))
    return crm, order, ticket


def test_an_order_confirmed_later_is_not_confirmed_yet(moves):
    crm, order, _ticket = moves
    [listed] = crm("--today", AS_OF, "order", "list", "--format", "json").json()
    assert listed["status"] == "submitted"
    shown = crm("--today", AS_OF, "order", "show", order, "--format", "json").json()
    assert shown["status"] == "submitted"
    assert [entry["status"] for entry in shown["history"]] == ["draft", "submitted"]
    assert "submitted" in ok(crm("--today", AS_OF, "show", "beta", "--format", "plain"))
    assert crm("--today", "2026-11-16", "order", "show", order, "--format", "json").json()["status"] == "confirmed"


def test_an_order_confirmed_later_counts_nowhere_yet(moves):
    crm, order, _ticket = moves
    for by in ((), ("--by", "month"), ("--by", "customer")):
        ledger = crm("--today", AS_OF, "ledger", *by, "--format", "json").json()["currencies"]
        assert ledger["CNY"]["rows"] == [] and ledger["CNY"]["total"]["gross"] == Decimal("0.00")
    [target] = crm("--today", AS_OF, "report", "targets", "--format", "json").json()
    assert target["attained"] == Decimal("0.00")
    assert crm("--today", AS_OF, "report", "receivables", "--format", "json").json() == {}
    [counted] = crm("--today", "2026-11-16", "ledger", "--format", "json").json()["currencies"]["CNY"]["rows"]
    assert counted["id"] == order and counted["status"] == "confirmed"


def test_unpinned_runs_see_the_status_as_it_is(moves):
    crm, order, _ticket = moves
    [listed] = crm("order", "list", "--format", "json").json()
    assert listed["status"] == "shipped"
    [target] = crm("report", "targets", "--format", "json").json()
    assert target["attained"] == Decimal("1000.00")
    assert crm("report", "receivables", "--format", "json").json()["CNY"]["rows"][0]["total"] == Decimal("1000.00")


def test_a_ticket_taken_up_later_is_still_open(moves):
    crm, _order, ticket = moves
    [listed] = crm("--today", AS_OF, "ticket", "list", "--format", "json").json()
    assert listed["status"] == "open"
    assert crm("ticket", "list", "--format", "json").json()[0]["status"] == "in-progress"


@pytest.mark.parametrize(("query", "pinned", "unpinned"), [
    ("status:confirmed", False, False), ("status:submitted", True, False), ("status=SUBMITTED", True, False),
    ("status!=submitted", False, True), ("status:shipped", False, True), ("status:draft OR status:submitted", True,
                                                                         False)])
def test_a_query_on_status_asks_the_status_of_the_pinned_day(moves, query, pinned, unpinned):
    crm, order, _ticket = moves
    for today, wanted in ((("--today", AS_OF), pinned), ((), unpinned)):
        found = crm(*today, "order", "list", query, "--format", "json").json()
        assert [o["id"] for o in found] == ([order] if wanted else [])


@pytest.fixture(scope="module")
def typed_late(tmp_path_factory):
    """Gamma (a customer) and Delta (a supplier), each with an order dated 11-01 typed in on
    11-22 (the session's today) already confirmed, and shipped the same day, 11-22."""
    crm = _data_dir(tmp_path_factory, "Gamma GmbH", "gamma")
    ok(crm("supplier", "add", "Delta Cables", "--id", "delta"))
    orders = []
    for command, party, shipping in (("order", "gamma", "ship"), ("purchase", "delta", "receive")):
        order = ok(crm(command, "add", party, "--line", "CAB-07 2", "--date", "2026-11-01", "--status", "confirmed"))
        ok(crm(command, shipping, order))
        orders.append(order)
    return crm, orders


def test_an_order_added_confirmed_with_its_date_was_confirmed_on_that_date(typed_late):
    """`order add --date D --status S` says the order was S on D: its moves at creation are
    dated D (the later ship is dated when it was typed), so a run pinned between the two
    sees it confirmed, as lists, queries and the ledger all ask."""
    crm, orders = typed_late
    for command, order in zip(("order", "purchase"), orders, strict=True):
        [listed] = crm("--today", AS_OF, command, "list", "--format", "json").json()
        assert (listed["id"], listed["status"]) == (order, "confirmed")
        found = crm("--today", AS_OF, command, "list", "status:confirmed", "--format", "json").json()
        assert [o["id"] for o in found] == [order]
    [row] = crm("--today", AS_OF, "ledger", "--format", "json").json()["currencies"]["CNY"]["rows"]
    assert row["status"] == "confirmed"
    shown = crm("purchase", "show", orders[1], "--format", "json").json()
    assert [(e["at"][:10], e["status"]) for e in shown["history"]] == [
        ("2026-11-01", "draft"), ("2026-11-01", "submitted"), ("2026-11-01", "confirmed"),
        ("2026-11-22", "shipped")]
    assert shown["created"][:10] == "2026-11-22"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Gamma with an order of 1,000.00 dated 11-01 (delivery due 11-12, payment due 11-30):
    a draft, submitted on 11-02, confirmed on 11-08, 400 paid on 11-12, shipped on 11-18,
    delivered on 11-20 and the rest paid on 11-21."""
    crm = _data_dir(tmp_path_factory, "Gamma GmbH", "gamma")
    order = ok(crm("--today", "2026-11-01", "order", "add", "gamma", "--line", "CAB-07 10", "--delivery-due",
                   "2026-11-12", "--payment-due", "2026-11-30"))
    for step in (("order", "submit", order, "--date", "2026-11-02"), ("order", "confirm", order, "--date", "2026-11-08"),
                 ("pay", order, "400", "--date", "2026-11-12"), ("order", "ship", order, "--date", "2026-11-18"),
                 ("order", "deliver", order, "--date", "2026-11-20"), ("pay", order, "600", "--date", "2026-11-21")):
        ok(crm(*step))
    return crm


@pytest.mark.parametrize(("day", "wanted"), [
    ("2026-11-05", []),
    ("2026-11-10", [("deliveries", "delivery to the customer due (confirmed)"),
                    ("payments", "payment of 1,000.00 CNY outstanding")]),
    ("2026-11-15", [("deliveries", "delivery to the customer due (confirmed)"),
                    ("payments", "payment of 600.00 CNY outstanding")]),
    ("2026-11-19", [("deliveries", "delivery to the customer due (shipped)"),
                    ("payments", "payment of 600.00 CNY outstanding")]),
    ("2026-11-20", [("payments", "payment of 600.00 CNY outstanding")]),
    ("2026-11-22", []),
])
def test_the_agenda_of_a_pinned_day_sees_the_order_as_it_stood(course, day, wanted):
    """The agenda reads an order's deliveries and payments from the index's rows of the order
    as it stands; pinned to a day before its last move, it winds the order back instead."""
    digest = course("--today", day, "remind", "due", "--within", "2m", "--format", "json")
    found = [] if not digest.out else [(item["rule"], item["reason"]) for bucket in ("overdue", "today", "upcoming")
                                       for item in digest.json()[bucket] if item["rule"] != "follow_up"]
    assert sorted(found) == wanted
    agenda = course("--today", day, "today", "--days", "60", "--format", "json").json()
    assert sorted((item["rule"], item["reason"]) for bucket in ("overdue", "today", "upcoming")
                  for item in agenda[bucket] if item["rule"] != "follow_up") == wanted
