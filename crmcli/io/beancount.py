"""`crm export beancount`: sales and purchase orders and their payments as a Beancount
journal for the accountant, one set of accounts per currency (amounts are never added
across currencies, as everywhere in crm).

A sale confirmed (or later) books its gross to receivables, its net to income and its
tax to output tax on the order date; a purchase books net to expenses, tax to input
tax and gross to payables. A payment moves cash against the receivable or payable on
its own date. Drafts (quotes), orders under review and cancelled orders book no sale or
purchase; money paid on a cancelled one is booked, with its refund, or else stays on the
receivable as the party's credit, as an overpayment does, so the receivables account agrees
with `crm show` and `crm report receivables`. Credit moved from one order to another
(`method: credit`) stays within receivables and books nothing.
"""

from __future__ import annotations

from datetime import date

from crmcli.model.orders import OWING_STATES
from crmcli.model.periods import parse_period

ACCOUNTS = {
    "sale": {"party": "Assets:Receivables", "net": "Income:Sales", "tax": "Liabilities:Tax:Output"},
    "purchase": {"party": "Liabilities:Payables", "net": "Expenses:Purchases", "tax": "Assets:Tax:Input"},
}
CASH = "Assets:Cash"


def quoted(text: str) -> str:
    """A Beancount string: double quotes, with backslashes and quotes escaped, on one line."""
    return '"' + " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _posting(account: str, code: str, amount) -> str:
    return f"  {account}:{code}  {amount:f} {code}"


def _entries(order: dict, party_name: str, span) -> list[tuple[str, str, str]]:
    """(date, order id, text) of an order's transaction and its payments within `span`."""
    accounts = ACCOUNTS[order["kind"]]
    code = order["currency"]
    sign = 1 if order["kind"] == "sale" else -1
    totals = order["totals"]
    entries = []
    day = date.fromisoformat(str(order["date"]))
    if order.get("status") in OWING_STATES and (span is None or day in span):
        lines = [f"{day} * {quoted(party_name)} {quoted(order['id'])}", f"  order: {quoted(order['id'])}",
                 _posting(accounts["party"], code, sign * totals["gross"]),
                 _posting(accounts["net"], code, -sign * totals["net"])]
        if totals["tax"]:
            lines.append(_posting(accounts["tax"], code, -sign * totals["tax"]))
        entries.append((str(day), order["id"], "\n".join(lines)))
    for payment in order.get("payments") or []:
        paid_on = date.fromisoformat(str(payment["date"]))
        if (span is not None and paid_on not in span) or payment.get("method") == "credit":
            continue
        what = f"Payment {order['id']}" + (f" ({payment['ref']})" if payment.get("ref") else "")
        lines = [f"{paid_on} * {quoted(party_name)} {quoted(what)}", f"  order: {quoted(order['id'])}",
                 _posting(CASH, code, sign * payment["amount"]),
                 _posting(accounts["party"], code, -sign * payment["amount"])]
        entries.append((str(paid_on), order["id"] + "~", "\n".join(lines)))
    return entries


def journal(repo, period: str | None = None) -> str:
    """The journal text: options, an `open` for each account used, then the transactions by date."""
    span = parse_period(period, repo.clock.today()) if period else None
    names = repo.index.party_names()
    entries: list[tuple[str, str, str]] = []
    opened: dict[str, str] = {}
    for record in repo.records("order"):
        order = record.data
        if order.get("status") not in OWING_STATES and not order.get("payments"):
            continue
        found = _entries(order, names.get(order["party"], order["party"]), span)
        for day, _, text in found:
            for line in text.splitlines()[2:]:
                account = line.split()[0]
                opened[account] = min(opened.get(account, day), day)
        entries += found
    business = repo.config.raw.get("business", {}).get("name", "crm")
    head = [f"option \"title\" {quoted(business)}", f"option \"operating_currency\" \"{repo.config.currency}\"", ""]
    head += [f"{day} open {account} {account.rsplit(':', 1)[-1]}" for account, day in sorted(opened.items())]
    body = [text for _, _, text in sorted(entries)]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + ("\n" if body else "")
