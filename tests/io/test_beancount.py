"""crm export beancount: the demo's journal passes the real bean-check, and its balances are
the orders' and payments' sums, currency by currency."""

import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

BEAN_CHECK = shutil.which("bean-check") or str(Path(sys.executable).with_name("bean-check"))


def balances(path: Path) -> dict[tuple[str, str], Decimal]:
    from beancount import loader
    from beancount.core import data

    entries, errors, _ = loader.load_file(str(path))
    assert not errors
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                sums[posting.account, posting.units.currency] += posting.units.number
    return sums


def test_bean_check_accepts_the_demo_journal(demo, tmp_path):
    journal = tmp_path / "demo.beancount"
    result = demo("export", "beancount", "--output", journal)
    assert result.code == 0, result.err
    checked = subprocess.run([BEAN_CHECK, str(journal)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    orders = [demo.read(str(p.relative_to(demo.root))) for p in demo.files("orders")]
    booked = [o for o in orders if o["status"] in ("confirmed", "shipped", "delivered", "closed")]
    assert {o["currency"] for o in booked} == {"CNY", "EUR", "USD", "GBP"}
    assert any(o["payments"] for o in booked)
    sums = balances(journal)
    for code in ("CNY", "EUR", "USD", "GBP"):
        sales = [o for o in booked if o["kind"] == "sale" and o["currency"] == code]
        received = sum((p["amount"] for o in sales for p in o["payments"]), Decimal(0))
        assert -sums["Income:Sales:" + code, code] == sum((o["totals"]["net"] for o in sales), Decimal(0))
        gross = sum((o["totals"]["gross"] for o in sales), Decimal(0))
        assert sums["Assets:Receivables:" + code, code] == gross - received
    purchases = [o for o in booked if o["kind"] == "purchase" and o["currency"] == "CNY"]
    assert sums["Expenses:Purchases:CNY", "CNY"] == sum((o["totals"]["net"] for o in purchases), Decimal(0))


def test_a_period_narrows_the_journal(demo):
    result = demo("export", "beancount", "--period", "2026-Q3")
    assert result.code == 0, result.err
    days = [line.split()[0] for line in result.out.splitlines() if line[:2] == "20" and " * " in line]
    assert days and all("2026-07-01" <= day <= "2026-09-30" for day in days)
    checked = subprocess.run([BEAN_CHECK, "/dev/stdin"], input=result.out, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_payees_with_quotes_are_escaped(empty, tmp_path):
    assert empty("customer", "add", 'The "Best" \\ Co').code == 0
    assert empty("order", "add", "best", "--line", "Widget 1 @ 10", "--status", "confirmed").code == 0
    journal = tmp_path / "j.beancount"
    assert empty("export", "beancount", "-o", journal).code == 0
    assert '"The \\"Best\\" \\\\ Co"' in journal.read_text()
    assert subprocess.run([BEAN_CHECK, str(journal)], capture_output=True).returncode == 0


def _ok(result) -> str:
    assert result.code == 0, result.err
    return result.out.strip()


def _per_party(path: Path) -> dict[tuple[str, str], Decimal]:
    """(account root, party reference) → balance in CNY, from the journal the real beancount
    loader reads (every transaction names its party)."""
    from beancount import loader
    from beancount.core import data

    entries, errors, _ = loader.load_file(str(path))
    assert not errors, errors
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                sums[posting.account.rsplit(":", 1)[0], entry.meta["party"]] += posting.units.number
    return sums


def test_balances_per_party_equal_receivables_and_payables(empty, tmp_path):
    """Refunds, credit from an overpayment and from a cancellation, and credit spent on
    another order: what the journal says each party owes (or is owed) is what `crm report
    receivables` and `crm report payables` say, and bean-check accepts it."""
    crm = empty
    for kind, name, ref in (("customer", "Acme Corp", "acme"), ("customer", "Beta Ltd", "beta"),
                            ("supplier", "Jinglian Cable", "jinglian")):
        _ok(crm(kind, "add", name, "--id", ref))

    def order(party, line, kind="order"):
        return _ok(crm(kind, "add", party, "--line", line, "--status", "confirmed", "--date", "2026-11-02"))

    refunded = order("acme", "Widget 10 @ 100")                       # 1,000.00, paid 300, refunded
    _ok(crm("pay", refunded, "300", "--date", "2026-11-03"))
    _ok(crm("order", "cancel", refunded, "--refund", "--date", "2026-11-04"))
    kept = order("acme", "Widget 5 @ 100")                            # 500.00 paid, cancelled: credit 500
    _ok(crm("pay", kept, "500", "--date", "2026-11-05"))
    _ok(crm("order", "cancel", kept, "--credit", "--date", "2026-11-06"))
    spent = order("acme", "Widget 3 @ 100")                           # 300.00 paid from that credit
    assert _ok(crm("pay", spent, "300", "--from-credit", "--date", "2026-11-07")) == "0.00 CNY outstanding"
    order("acme", "Gadget 1 @ 450 tax 13%")                           # 508.50 owed, less 200 credit
    over = order("beta", "Widget 2 @ 100")                            # 200.00, overpaid by 5
    _ok(crm("pay", over, "205", "--allow-overpay", "--date", "2026-11-08"))
    bought = order("jinglian", "Cable 100 @ 9", kind="purchase")      # 900.00, 400 paid
    _ok(crm("pay", bought, "400", "--date", "2026-11-09"))
    dropped = order("jinglian", "Cable 10 @ 9", kind="purchase")      # 90.00 paid, cancelled as credit
    _ok(crm("pay", dropped, "90", "--date", "2026-11-10"))
    _ok(crm("purchase", "cancel", dropped, "--credit", "--date", "2026-11-11"))
    _ok(crm("pay", bought, "50", "--from-credit", "--date", "2026-11-12"))

    journal = tmp_path / "money.beancount"
    _ok(crm("export", "beancount", "--output", journal))
    checked = subprocess.run([BEAN_CHECK, str(journal)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = journal.read_text(encoding="utf-8")
    assert f'"Credit from {kept} used on {spent}"' in text and f'"Credit used on {spent}"' in text
    sums = _per_party(journal)
    names = {"Acme Corp": "customers/acme", "Beta Ltd": "customers/beta", "Jinglian Cable": "suppliers/jinglian"}
    receivables = crm("report", "receivables", "--format", "json").json()["CNY"]["rows"]
    assert {row["party"]: row["total"] for row in receivables} == {
        "Acme Corp": Decimal("308.50"), "Beta Ltd": Decimal("-5.00")}
    for row in receivables:
        assert sums["Assets:Receivables", names[row["party"]]] == row["total"]
    [payable] = crm("report", "payables", "--format", "json").json()["CNY"]["rows"]
    assert payable["total"] == Decimal("410.00")
    assert -sums["Liabilities:Payables", names[payable["party"]]] == payable["total"]
    assert not any(sums[account, party] for account, party in sums if account.endswith(":Credit"))
    cash = sum((amount for (account, _), amount in sums.items() if account == "Assets:Cash"), Decimal(0))
    assert cash == Decimal("500.00") + Decimal("205.00") - Decimal("400.00") - Decimal("90.00")
