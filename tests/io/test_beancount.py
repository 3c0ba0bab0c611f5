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
