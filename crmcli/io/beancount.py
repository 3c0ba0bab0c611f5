"""`crm export beancount`: sales and purchase orders and their payments as a Beancount
journal for the accountant, one set of accounts per currency (amounts are never added
across currencies, as everywhere in crm).

A sale confirmed (or later) books its gross to receivables, its net to income and its
tax to output tax on the order date; a purchase books net to expenses, tax to input
tax and gross to payables. A payment moves cash against the receivable or payable on
its own date. Drafts (quotes), orders under review and cancelled orders book no sale or
purchase; money paid on a cancelled one is booked, with its refund, or else stays on the
receivable as the party's credit, as an overpayment does, so the receivables account agrees
with `crm show` and `crm report receivables`. Credit spent on another order (`pay
--from-credit`: a `method: credit` entry below zero on the order it comes from, and one above
zero on the order it pays) moves through a clearing account (`Liabilities:Credit`, or
`Assets:Credit` for a supplier's), which both entries of one spending bring back to zero.
Every transaction names its order and party (`order:`, `party:` metadata), so balances can
be taken per party or per order.
"""

from __future__ import annotations

from datetime import date

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.orders import OWING_STATES, paid
from crmcli.model.periods import parse_period

ACCOUNTS = {
    "sale": {"party": "Assets:Receivables", "net": "Income:Sales", "tax": "Liabilities:Tax:Output",
             "credit": "Liabilities:Credit"},
    "purchase": {"party": "Liabilities:Payables", "net": "Expenses:Purchases", "tax": "Assets:Tax:Input",
                 "credit": "Assets:Credit"},
}
CASH = "Assets:Cash"


def quoted(text: str) -> str:
    """A Beancount string: double quotes, with backslashes and quotes escaped, on one line."""
    return '"' + " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _posting(account: str, code: str, amount) -> str:
    return f"  {account}:{code}  {amount:f} {code}"


def _entries(order: dict, party_name: str, span) -> list[tuple[str, str, str]]:
    """(date, order id, text) of an order's transaction and its payments within `span`; a
    text is the header, two lines of metadata, then the postings."""
    accounts = ACCOUNTS[order["kind"]]
    code = order["currency"]
    sign = 1 if order["kind"] == "sale" else -1
    totals = order["totals"]
    entries = []
    day = date.fromisoformat(str(order["date"]))
    if order.get("status") in OWING_STATES and (span is None or day in span):
        lines = [f"{day} * {quoted(party_name)} {quoted(order['id'])}", *_meta(order),
                 _posting(accounts["party"], code, sign * totals["gross"]),
                 _posting(accounts["net"], code, -sign * totals["net"])]
        if totals["tax"]:
            lines.append(_posting(accounts["tax"], code, -sign * totals["tax"]))
        entries.append((str(day), order["id"], "\n".join(lines)))
    for payment in order.get("payments") or []:
        paid_on = date.fromisoformat(str(payment["date"]))
        if span is not None and paid_on not in span:
            continue
        credit = payment.get("method") == "credit"
        if credit:
            what = (f"Credit used on {order['id']}" if payment["amount"] > 0
                    else f"Credit from {order['id']}" + (f" {payment['note']}" if payment.get("note") else ""))
        else:
            what = f"Payment {order['id']}" + (f" ({payment['ref']})" if payment.get("ref") else "")
        lines = [f"{paid_on} * {quoted(party_name)} {quoted(what)}", *_meta(order),
                 _posting(accounts["credit"] if credit else CASH, code, sign * payment["amount"]),
                 _posting(accounts["party"], code, -sign * payment["amount"])]
        entries.append((str(paid_on), order["id"] + "~", "\n".join(lines)))
    return entries


def _meta(order: dict) -> list[str]:
    return [f"  order: {quoted(order['id'])}", f"  party: {quoted(order['party'])}"]


def journal(repo, period: str | None = None) -> str:
    """The journal text: options, an `open` for each account used, then the transactions by date."""
    span = parse_period(period, repo.clock.today()) if period else None
    names = repo.index.party_names()
    entries: list[tuple[str, str, str]] = []
    opened: dict[str, str] = {}
    orders = [record.data for record in repo.records("order")]
    locked = [order["id"] for order in orders if paid(order) is None]
    if locked:
        raise InvalidValue(_("the payments of {count} order(s) ({first}…) are encrypted and your key cannot read "
                             "them: a journal without them would be wrong (a member of a role that reads them can "
                             "export it)").format(count=len(locked), first=locked[0]))
    for order in orders:
        if order.get("status") not in OWING_STATES and not order.get("payments"):
            continue
        found = _entries(order, names.get(order["party"], order["party"]), span)
        for day, _order_id, text in found:
            for line in text.splitlines()[3:]:
                account = line.split()[0]
                opened[account] = min(opened.get(account, day), day)
        entries += found
    business = repo.config.raw.get("business", {}).get("name", "crm")
    head = [f"option \"title\" {quoted(business)}", f"option \"operating_currency\" \"{repo.config.currency}\"", ""]
    head += [f"{day} open {account} {account.rsplit(':', 1)[-1]}" for account, day in sorted(opened.items())]
    body = [text for _day, _order_id, text in sorted(entries)]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + ("\n" if body else "")
