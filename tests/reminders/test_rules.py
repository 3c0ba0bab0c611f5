"""Every rule that raises reminders from the data, each with a fixed today (2026-11-22)."""

from datetime import date

import pytest

from crmcli.reminders.rules import _next_birthday


def due(data_dir, *args, rule=None, today=None):
    """`crm remind due --format json` as a flat list, optionally of one rule."""
    prefix = ["--today", today] if today else []
    result = data_dir(*prefix, "remind", "due", *args, "--format", "json")
    assert result.code == 0, result.err
    if not result.out:
        return []
    digest = result.json()
    items = [item for bucket in ("overdue", "today", "upcoming") for item in digest[bucket]]
    return [item for item in items if rule is None or item["rule"] == rule]


def ok(result):
    assert result.code == 0, result.err
    return result.out.strip()


def set_config(data_dir, text):
    path = data_dir.root / "crm.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def shop(empty):
    """Two customers added in September with no contact since, and a supplier."""
    ok(empty("--today", "2026-09-01", "customer", "add", "Acme Corp", "--terms", "net 30"))
    ok(empty("--today", "2026-09-01", "customer", "add", "深圳市华强电子有限公司", "--id", "huaqiang"))
    ok(empty("--today", "2026-09-01", "supplier", "add", "Jinglian Cable", "--id", "jinglian"))
    return empty


def test_next_steps_that_are_due(shop):
    ok(shop("log", "acme", "call", "pricing agreed", "--next", "send quote", "--due", "+2d"))
    ok(shop("log", "huaqiang", "call", "样品", "--at", "-3d", "--next", "寄样品", "--due", "-1d"))
    steps = due(shop, "--within", "1w", rule="next_steps")
    assert [(s["due"], s["reason"], s["party"]) for s in steps] == [
        ("2026-11-21", "寄样品", "customers/huaqiang"), ("2026-11-24", "send quote", "customers/acme")]
    assert all(s["id"].startswith("IN-") for s in steps)


def test_follow_up_cadence_per_party_and_default(shop):
    items = due(shop, rule="follow_up")
    assert {i["party"]: (i["due"], i["reason"]) for i in items} == {
        "customers/acme": ("2026-10-01", "never contacted (every 30d)"),
        "customers/huaqiang": ("2026-10-01", "never contacted (every 30d)"),
        "suppliers/jinglian": ("2026-10-01", "never contacted (every 30d)"),
    }
    ok(shop("--today", "2026-11-01", "log", "acme", "call", "catch-up"))
    ok(shop("customer", "edit", "huaqiang", "--set", "follow_up_every=6m"))
    ok(shop("supplier", "edit", "jinglian", "--set", "follow_up_every=2w"))
    items = {i["party"]: i for i in due(shop, "--within", "2w", rule="follow_up")}
    assert items["customers/acme"]["due"] == "2026-12-01" and "customers/acme" not in {
        i["party"] for i in due(shop, rule="follow_up")}
    assert items["customers/acme"]["reason"] == "no contact since 2026-11-01 (every 30d)"
    assert "customers/huaqiang" not in items
    assert items["suppliers/jinglian"]["due"] == "2026-09-15"


def test_follow_up_skips_inactive_parties_and_those_with_a_next_step(shop):
    ok(shop("customer", "edit", "acme", "--set", "lifecycle=inactive"))
    ok(shop("log", "huaqiang", "call", "样品", "--next", "寄样品", "--due", "+20d"))
    assert [i["party"] for i in due(shop, rule="follow_up")] == ["suppliers/jinglian"]


def test_the_default_cadence_comes_from_crm_yaml(shop):
    text = (shop.root / "crm.yaml").read_text(encoding="utf-8").replace("follow_up_every: 30d", "follow_up_every: 1y")
    (shop.root / "crm.yaml").write_text(text, encoding="utf-8")
    assert due(shop, rule="follow_up") == []


def test_birthdays_today_and_coming_never_overdue(shop):
    ok(shop("contact", "add", "huaqiang", "张伟", "--birthday", "1985-11-24"))
    ok(shop("contact", "add", "acme", "Ann", "--birthday", "11-22"))
    ok(shop("contact", "add", "acme", "Bob", "--birthday", "11-20"))
    items = due(shop, "--within", "1w", rule="birthdays")
    assert [(i["due"], i["reason"]) for i in items] == [
        ("2026-11-22", "birthday of Ann"), ("2026-11-24", "birthday of 张伟 (turns 41)")]


def test_a_29_february_birthday_in_a_common_year():
    assert _next_birthday("2000-02-29", date(2027, 2, 1)) == (date(2027, 2, 28), 27)
    assert _next_birthday("02-29", date(2028, 2, 1)) == (date(2028, 2, 29), None)
    assert _next_birthday("03-01", date(2026, 11, 22)) == (date(2027, 3, 1), None)


def test_contracts_ending_within_their_renewal_notice(shop):
    (shop.root / "templates").mkdir(exist_ok=True)
    (shop.root / "templates" / "supply.md").write_text("# {{ contract.title }}\n", encoding="utf-8")
    contract = ok(shop("contract", "new", "acme", "--template", "supply", "--title", "Supply 2026",
                       "--start", "2026-01-01", "--end", "2026-12-31", "--notice-days", "45"))
    assert due(shop, rule="renewals") == []
    ok(shop("contract", "review", contract))
    ok(shop("contract", "sign", contract))
    [item] = due(shop, rule="renewals")
    assert item["due"] == "2026-11-16" and item["id"] == contract
    assert item["reason"] == "Supply 2026 ends 2026-12-31: 45 days' notice, renew or let it end"
    ok(shop("contract", "terminate", contract))
    assert due(shop, rule="renewals") == []


def test_orders_past_delivery_and_payments_past_due(shop):
    order = ok(shop("--today", "2026-10-01", "order", "add", "acme", "--line", "Widget 10 @ 100", "--status",
                    "confirmed", "--delivery-due", "2026-11-10", "--payment-due", "2026-10-31"))
    ok(shop("pay", order, "300"))
    [delivery] = due(shop, rule="deliveries")
    assert (delivery["due"], delivery["id"]) == ("2026-11-10", order)
    [payment] = due(shop, rule="payments")
    assert payment["due"] == "2026-10-31"
    assert payment["reason"] == "payment of 700.00 CNY outstanding" and str(payment["amount"]) == "700.00"
    ok(shop("order", "deliver", order, "--date", "2026-11-12"))
    ok(shop("pay", order, "700"))
    assert due(shop, rule="deliveries") == due(shop, rule="payments") == []


def test_purchases_owed_to_a_supplier(shop):
    order = ok(shop("--today", "2026-10-01", "purchase", "add", "jinglian", "--line", "Cable 5 @ 20",
                    "--status", "confirmed", "--payment-due", "2026-11-01"))
    [payment] = due(shop, rule="payments")
    assert (payment["id"], payment["reason"]) == (order, "we owe 100.00 CNY")


def test_deals_past_their_expected_close(shop):
    deal = ok(shop("deal", "add", "acme", "Framework 2027", "--amount", "50000", "--close", "2026-11-15"))
    ok(shop("deal", "add", "acme", "Later deal", "--close", "2027-03-01"))
    [item] = due(shop, rule="deals")
    assert (item["due"], item["id"]) == ("2026-11-15", deal)
    assert item["reason"] == "Framework 2027 expected to close (qualification, 50,000.00 CNY)"
    ok(shop("deal", "lost", deal, "--reason", "price"))
    assert due(shop, rule="deals") == []


def test_tickets_past_their_service_level(shop):
    ticket = ok(shop("--today", "2026-11-21T09:00:00+08:00", "ticket", "open", "acme", "Broken reel",
                     "--priority", "high"))
    [item] = due(shop, rule="tickets")
    assert (item["due"], item["at"], item["id"]) == ("2026-11-22", "2026-11-22T09:00:00+08:00", ticket)
    assert item["reason"] == "Broken reel: past its service level (high)"
    early = due(shop, rule="tickets", today="2026-11-22T08:00:00+08:00")
    assert early[0]["reason"] == "Broken reel: service level (high) ends"
    ok(shop("ticket", "resolve", ticket, "--resolution", "replaced"))
    assert due(shop, rule="tickets") == []


def test_each_rule_can_be_turned_off(shop):
    ok(shop("contact", "add", "acme", "Ann", "--birthday", "11-22"))
    assert {i["rule"] for i in due(shop)} == {"follow_up", "birthdays"}
    set_config(shop, "reminders:\n  birthdays: false\n  follow_up: false\n")
    assert due(shop) == []
    assert ok(shop("check")) == ""


class TestTargets:
    """The seed rule "day 20 and under 50% → remind": shown every day from the configured day
    to the period's end, sent once per owner and period by the digest, caught up after a missed
    cron run; the congratulation once; orders count on their date; special orders stay out."""

    BEHIND = "li at 30% of target 2026-11 (30,000.00 CNY of 100,000.00 CNY), below 50%"

    @pytest.fixture
    def sales(self, shop):
        set_config(shop, "reminders:\n  targets: {day: {month: 20}, below: 0.5}\n")
        ok(shop("target", "set", "li", "2026-11", "100000"))
        ok(shop("--today", "2026-11-05", "order", "add", "acme", "--line", "Widget 300 @ 100", "--status",
                "confirmed", "--owner", "li"))
        return shop

    @staticmethod
    def agenda(data_dir, day):
        return ok(data_dir("--today", day, "today"))

    def test_shown_every_day_from_the_configured_day_to_the_period_end(self, sales):
        for day in ("2026-11-19", "2026-12-01"):
            assert "below 50%" not in self.agenda(sales, day)
        for day in ("2026-11-20", "2026-11-21", "2026-11-23", "2026-11-30"):
            assert self.BEHIND in self.agenda(sales, day), day

    def test_the_digest_sends_it_once_when_cron_runs_every_day(self, sales):
        assert due(sales, rule="targets", today="2026-11-19") == []
        [item] = due(sales, rule="targets", today="2026-11-20")
        assert item["reason"] == self.BEHIND
        assert item["owner"] == "li" and item["id"] == "li-2026-11"
        for day in ("2026-11-21", "2026-11-23", "2026-11-30", "2026-12-01"):
            assert due(sales, rule="targets", today=day) == [], day
        assert self.BEHIND in self.agenda(sales, "2026-11-23")
        assert "announced" not in sales.read("targets/li-2026-11.yaml")

    @pytest.mark.parametrize("first_run", ["2026-11-21", "2026-11-23", "2026-11-30"])
    def test_a_missed_cron_run_is_caught_up_on_the_next(self, sales, first_run):
        [item] = due(sales, rule="targets", today=first_run)
        assert item["reason"] == self.BEHIND and item["due"] == first_run
        assert due(sales, rule="targets", today="2026-11-30") == []

    def test_a_run_missed_past_the_period_end_sends_nothing_stale(self, sales):
        assert due(sales, rule="targets", today="2026-12-01") == []

    def test_each_owner_and_period_is_sent_once(self, sales):
        ok(sales("target", "set", "li", "2026-12", "100000"))
        ok(sales("target", "set", "all", "2026-11", "100000"))
        assert len(due(sales, rule="targets", today="2026-11-20")) == 2
        assert [i["id"] for i in due(sales, rule="targets", today="2026-12-20")] == ["li-2026-12"]

    def test_the_day_comes_from_crm_yaml(self, sales):
        path = sales.root / "crm.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("month: 20", "month: 25"), encoding="utf-8")
        assert due(sales, rule="targets", today="2026-11-24") == []
        assert "below 50%" not in self.agenda(sales, "2026-11-24")
        assert [i["reason"] for i in due(sales, rule="targets", today="2026-11-26")] == [self.BEHIND]

    def test_no_warning_at_or_above_the_share(self, sales):
        ok(sales("--today", "2026-11-10", "order", "add", "acme", "--line", "Widget 200 @ 100",
                 "--status", "confirmed", "--owner", "li"))
        assert due(sales, rule="targets", today="2026-11-20") == []

    def test_reaching_a_target_is_announced_once(self, sales):
        ok(sales("--today", "2026-11-21", "order", "add", "acme", "--line", "Widget 800 @ 100",
                 "--status", "confirmed", "--owner", "li"))
        assert "li reached target 2026-11 on 2026-11-21" in ok(sales("today"))
        [item] = due(sales, rule="targets")
        assert item["reason"] == "li reached target 2026-11 on 2026-11-21 (110,000.00 CNY of 100,000.00 CNY)"
        assert "announced" not in sales.read("targets/li-2026-11.yaml")  # local state, not the repository
        assert due(sales, rule="targets") == []
        assert "reached" not in ok(sales("today"))

    def test_an_announcement_stamped_by_older_crm_is_not_repeated(self, sales):
        ok(sales("--today", "2026-11-21", "order", "add", "acme", "--line", "Widget 800 @ 100",
                 "--status", "confirmed", "--owner", "li"))
        path = sales.root / "targets/li-2026-11.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "announced: 2026-11-21T18:00:00+08:00\n",
                        encoding="utf-8")
        assert due(sales, rule="targets") == []

    def test_an_order_counts_on_its_date_never_before(self, sales):
        ok(sales("order", "add", "acme", "--date", "2026-11-25", "--line", "Widget 800 @ 100",
                 "--status", "confirmed", "--owner", "li"))
        assert "reached" not in self.agenda(sales, "2026-11-22")
        assert [i["reason"] for i in due(sales, rule="targets", today="2026-11-24")] == [self.BEHIND]
        [item] = due(sales, rule="targets", today="2026-11-25")
        assert item["reason"] == "li reached target 2026-11 on 2026-11-25 (110,000.00 CNY of 100,000.00 CNY)"
        [row] = sales("target", "list", "--format", "json").json()
        assert row["attained"] == 30000

    def test_special_orders_stay_out(self, sales):
        ok(sales("--today", "2026-11-10", "order", "add", "acme", "--special", "--line", "Widget 900 @ 100",
                 "--status", "confirmed", "--owner", "li"))
        ok(sales("--today", "2026-11-10", "order", "add", "acme", "--line", "Widget 900 @ 100",
                 "--status", "confirmed", "--owner", "li"))
        [hand_written] = [p for p in sales.files("orders") if "quantity: 900" in p.read_text(encoding="utf-8")
                          and "type: standard" in p.read_text(encoding="utf-8")]
        text = hand_written.read_text(encoding="utf-8").replace("type: standard", "type: special")
        hand_written.write_text(text.replace("counts_toward_target: true\n", ""), encoding="utf-8")
        assert [i["reason"] for i in due(sales, rule="targets", today="2026-11-20")] == [self.BEHIND]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_hand_edits_reach_the_agenda_at_once(shop):
    """The rules read rows the index keeps beside each file (an order's balance, a party's
    owner and cadence, its latest contact): a file edited or deleted by hand is seen by the
    very next run, as every write of crm is."""
    order = ok(shop("--today", "2026-10-01", "order", "add", "acme", "--line", "Widget 10 @ 100", "--status",
                    "confirmed", "--delivery-due", "2026-11-10", "--payment-due", "2026-10-31"))
    order_file = shop.root / "orders" / "2026" / f"{order}.yaml"
    _edit(order_file, "owner: li\n", "")
    _edit(shop.root / "customers" / "acme.yaml", "owner: li", "owner: zoe")
    assert sorted(i["rule"] for i in due(shop, "--owner", "zoe")) == ["deliveries", "follow_up", "payments"]

    _edit(order_file, "payments: []", "payments:\n  - {date: 2026-11-20, amount: 400.00}")
    [payment] = due(shop, rule="payments")
    assert payment["reason"] == "payment of 600.00 CNY outstanding" and payment["owner"] == "zoe"
    _edit(order_file, "status: confirmed", "status: delivered")
    _edit(order_file, "amount: 400.00", "amount: 1000.00")
    assert due(shop, rule="deliveries") == due(shop, rule="payments") == []

    _edit(shop.root / "customers" / "acme.yaml", "owner: zoe", "owner: zoe\nfollow_up_every: 2w")
    _edit(shop.root / "customers" / "acme.yaml", "entity: company", "entity: company\ncontacts:\n"
          "  - {name: Ann, birthday: 11-23}")
    assert [(i["rule"], i["due"], i["reason"]) for i in due(shop, "--within", "1d", "--owner", "zoe")] == [
        ("follow_up", "2026-09-15", "never contacted (every 2w)"), ("birthdays", "2026-11-23", "birthday of Ann")]


def test_the_latest_contact_follows_interactions_coming_and_going(shop):
    """A party's latest contact (what its follow-up runs from) is the latest interaction
    left, as of the day asked: a deleted one no longer counts, a later one not yet."""
    first = ok(shop("--today", "2026-10-05", "log", "huaqiang", "call", "样品")).split()[0]
    second = ok(shop("--today", "2026-10-20", "log", "huaqiang", "call", "报价")).split()[0]

    def reason(today=None):
        [item] = [i for i in due(shop, "--within", "1y", rule="follow_up", today=today)
                  if i["party"] == "customers/huaqiang"]
        return item["reason"]

    assert reason() == "no contact since 2026-10-20 (every 30d)"
    assert reason(today="2026-10-10") == "no contact since 2026-10-05 (every 30d)"
    assert reason(today="2026-10-01") == "never contacted (every 30d)"
    (shop.root / "interactions" / "2026" / "10" / f"{second}.yaml").unlink()
    assert reason() == "no contact since 2026-10-05 (every 30d)"
    ok(shop("rm", first))
    assert reason() == "never contacted (every 30d)"
