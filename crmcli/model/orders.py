"""Order arithmetic and rules: lines typed on the command line, totals, terms, balances."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.dates import month_end
from crmcli.model.locked import LOCK, Locked
from crmcli.model.money import format_money, parse_decimal, parse_rate, rounded
from crmcli.model.periods import month_key, quarter_key, year_key
from crmcli.model.workflow import moved_as_of

LINE = re.compile(
    r"^(?P<item>.+?)\s+(?P<qty>[-+]?\d[\d,]*(?:\.\d+)?)\s*(?P<unit>[^\s@\d%-][^\s@%]*)?"
    r"(?:\s*@\s*(?P<price>\S+))?(?:\s+-\s*(?P<disc>\S+?%?))?(?:\s+tax\s*(?P<tax>\S+))?\s*$",
    re.IGNORECASE,
)
SKU_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\d[A-Za-z0-9._-]*$")


def parse_line(text: str) -> dict:
    """`CAB-07 40 @ 1250.00 -3%`, `CAB-07 40 reel`, `Consulting day 2 @ 800 tax 6%` as a line
    (item, quantity, unit, unit price, discount, tax rate; absent parts left out)."""
    match = LINE.match(text.strip())
    if not match:
        raise InvalidValue(_("cannot read line {text!r}: write ITEM QUANTITY [UNIT] [@ PRICE] [-DISCOUNT%] "
                             "[tax RATE%]").format(text=text))
    line: dict = {"item": match["item"].strip()}
    quantity = parse_decimal(match["qty"], N_("quantity"))
    if quantity <= 0:
        raise InvalidValue(_("line {text!r}: the quantity must be more than zero").format(text=text))
    line["quantity"] = int(quantity) if quantity == quantity.to_integral_value() else quantity
    if match["unit"]:
        line["unit"] = match["unit"]
    if match["price"]:
        price = parse_decimal(match["price"], N_("price"))
        if price < 0:
            raise InvalidValue(_("line {text!r}: a price cannot be negative").format(text=text))
        line["unit_price"] = price
    if match["disc"]:
        line["discount"] = parse_rate(match["disc"], N_("discount"))
    if match["tax"]:
        line["tax_rate"] = parse_rate(match["tax"], N_("tax rate"))
    return line


def line_net(line: dict) -> Decimal:
    """quantity × unit price × (1 − discount), exact."""
    gross = Decimal(line["quantity"]) * Decimal(line["unit_price"])
    return gross * (1 - Decimal(line.get("discount", 0)))


def totals(lines: list[dict], code: str) -> dict:
    """Net, discount, tax and gross, each rounded once (half up) from the exact line sums."""
    net = sum((line_net(line) for line in lines), Decimal(0))
    discount = sum((Decimal(line["quantity"]) * Decimal(line["unit_price"]) * Decimal(line.get("discount", 0))
                    for line in lines), Decimal(0))
    tax = sum((line_net(line) * Decimal(line.get("tax_rate", 0)) for line in lines), Decimal(0))
    result = {"net": rounded(net, code)}
    if discount:
        result["discount"] = rounded(discount, code)
    result["tax"] = rounded(tax, code)
    result["gross"] = result["net"] + result["tax"]
    return result


def paid(order: dict) -> Decimal | None:
    """What was paid on the order; None when its payments are encrypted and this user's key
    cannot read them (a `Locked`): unknown, never zero, and so is every sum with it."""
    payments = order.get("payments") or []
    if isinstance(payments, Locked):
        return None
    return sum((Decimal(p["amount"]) for p in payments), Decimal(0))


def payment_entries(order: dict) -> list[dict]:
    """The order's payments to list, one 🔒 row in their place when the user's key cannot read them."""
    payments = order.get("payments") or []
    return [{"date": LOCK, "amount": LOCK}] if isinstance(payments, Locked) else payments


def paid_known(order: dict) -> Decimal:
    """`paid`, for a change that needs it: refused when the user's key cannot read the payments."""
    amount = paid(order)
    if amount is None:
        raise InvalidValue(_("the payments of {id} are encrypted and your key cannot read them, so they cannot be "
                             "changed here (a member of a role that reads them can)").format(id=order.get("id")))
    return amount


def less(amount: Decimal | None, minus: Decimal | None) -> Decimal | None:
    """`amount - minus`, unknown (None) when either is."""
    return None if amount is None or minus is None else amount - minus


def added(amounts) -> Decimal | None:
    """The sum of `amounts`, unknown (None) when any of them is."""
    total = Decimal(0)
    for amount in amounts:
        if amount is None:
            return None
        total += amount
    return total


def amount_shown(amount: Decimal | None, code: str | None = None) -> Decimal | str:
    """An amount for a table or JSON: rounded to `code`'s minor units, or 🔒 when unknown
    (payments the user's key cannot read)."""
    if amount is None:
        return LOCK
    return rounded(Decimal(amount), code) if code else Decimal(amount)


def money_shown(amount: Decimal | None, code: str) -> str:
    """`format_money`, or 🔒 for an amount the user's key cannot read."""
    return LOCK if amount is None else format_money(amount, code)


OWING_STATES = ("confirmed", "shipped", "delivered", "completed", "closed")
"""Orders owed on: approved and later (`closed` is the name older crm gave completed)."""
UNDELIVERED_STATES = ("confirmed", "shipped")
"""Orders approved and not yet delivered: what the deliveries reminder watches."""
OPEN_STATES = ("draft", "submitted", "confirmed", "shipped")
"""Orders not yet delivered: what may be cancelled."""
EDITABLE_STATES = ("draft", "submitted")


def balance(order: dict) -> Decimal | None:
    """What remains to be paid of the order's value, whatever its status (None: unknown)."""
    return less(Decimal(order["totals"]["gross"]), paid(order))


def owed(order: dict) -> Decimal:
    """The order's value as far as money is concerned: its gross once confirmed; nothing on
    a draft (a quote), one under review, or a cancelled one."""
    return Decimal(order["totals"]["gross"]) if order.get("status") in OWING_STATES else Decimal(0)


def outstanding(order: dict) -> Decimal | None:
    """What is owed on an order (a receivable or payable) less what was paid; below zero it
    is a credit of the party's (an overpayment, or money kept on a cancelled order), which
    every report shows the same way. None: unknown (payments the user cannot read)."""
    return less(owed(order), paid(order))


def counts_toward_target(order: dict) -> bool:
    """Whether a sale counts toward sales targets: `counts_toward_target` says so; without it,
    every order but a special one (`type: special`) counts."""
    return bool(order.get("counts_toward_target", order.get("type") != "special"))


FINISHED_STATES = ("completed", "closed", "cancelled")
"""Orders done with: completed (`closed` in older crm) or cancelled."""


def is_open(order: dict) -> bool:
    """Not finished (completed or cancelled) or not fully paid: an order completed with money
    still owed stays open until it is paid (one whose payments the user cannot read, too)."""
    due = outstanding(order)
    return order.get("status") not in FINISHED_STATES or due is None or due > 0


def line_items(lines: list[dict], quantities: bool = True, most: int = 3) -> str:
    """What an order is for, in a few words: `CAB-07 ×40, CONS-DAY ×2` (each line's SKU, or
    its description when it has none), the first `most` lines and how many more."""
    names = [f"{line.get('sku') or line.get('description') or '?'}"
             + (f" ×{line['quantity']}" if quantities and line.get("quantity") is not None else "")
             for line in lines]
    shown = ", ".join(names[:most])
    return _("{items} and {count} more").format(items=shown, count=len(names) - most) if len(names) > most else shown


def payment_due(terms: str | None, start: date) -> date | None:
    """The due date `terms` give from `start`: `net 30`, `30 days`, `30 days end of month`
    (30 days, then to the end of that month), `end of month`, `prepaid`. None if unreadable."""
    if not terms:
        return None
    text = " ".join(str(terms).lower().replace("-", " ").split())
    if text in ("prepaid", "prepayment", "cash", "cod", "cash on delivery", "due on receipt", "款到发货", "预付"):
        return start
    match = re.fullmatch(r"(?:net\s*)?(\d+)(?:\s*days?)?(\s*(?:end of month|eom))?", text)
    if match:
        due = start + timedelta(days=int(match.group(1)))
        return month_end(due) if match.group(2) else due
    if text in ("end of month", "eom"):
        return month_end(start)
    return None


def on_time(order: dict, today: date | None = None) -> bool | None:
    """Whether a delivered order arrived by its delivery due date (None when unknown). As of
    `today`, an order still not delivered past its due date is late already: leaving it out
    would make a supplier who never delivers look punctual."""
    if not order.get("delivery_due"):
        return None
    if not order.get("delivered"):
        if today is not None and order.get("status") in OPEN_STATES and str(order["delivery_due"]) < str(today):
            return False
        return None
    return str(order["delivered"]) <= str(order["delivery_due"])


def judged_deliveries(orders: list[dict], today: date) -> list[tuple[dict, bool]]:
    """(order, on time?) for each approved order whose punctuality is known as of `today`:
    the one rule of the supplier scorecard and `crm show` (show used to leave out the
    overdue orders not yet delivered, and called a supplier punctual the report called late)."""
    judged = ((order, on_time(order, today)) for order in orders if order.get("status") in OWING_STATES)
    return [(order, flag) for order, flag in judged if flag is not None]


def days_late(order: dict, today: date) -> int:
    """Days between the delivery due date and the delivery (or today, while it is not delivered)."""
    arrived = date.fromisoformat(str(order["delivered"])) if order.get("delivered") else today
    return (arrived - date.fromisoformat(str(order["delivery_due"]))).days



def shipment_field(order: dict) -> str:
    """Where an order's deliveries are kept: `shipments` we send (sales), `receipts` we take
    in (purchases); one machine for both."""
    return "shipments" if order.get("kind", "sale") == "sale" else "receipts"


def still_to_ship(order: dict) -> list[Decimal]:
    """Per line (in order), the quantity not yet in a shipment or receipt."""
    left = [Decimal(str(line["quantity"])) for line in order["lines"]]
    for shipment in order.get(shipment_field(order)) or []:
        for part in shipment.get("lines") or []:
            left[int(part["line"]) - 1] -= Decimal(str(part["quantity"]))
    return left


class GroupKey(NamedTuple):
    """What the ledger groups orders by for one `--by` key: a period of the order's `date`
    (`field` is month, quarter or year), its `party`, a field of the `order`, or a field of
    its party (`party_field`), with `default` when the field is missing. The one definition:
    the ledger groups with it in Python (`group_value`) and the store in SQL (its ORDER_KEYS).
    A named tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of
    the cost."""

    source: str
    field: str = ""
    default: str = ""


ORDER_GROUP_KEYS = {
    N_("month"): GroupKey("date", "month"), N_("quarter"): GroupKey("date", "quarter"),
    N_("year"): GroupKey("date", "year"), N_("customer"): GroupKey("party"), N_("supplier"): GroupKey("party"),
    N_("party"): GroupKey("party"), N_("owner"): GroupKey("order", "owner"),
    N_("region"): GroupKey("order", "region"), N_("industry"): GroupKey("party_field", "industry"),
    N_("type"): GroupKey("order", "type", "standard"),
}
"""The order-level keys of `crm ledger --by`, in the order its help lists them."""

PERIOD_KEYS = {"month": month_key, "quarter": quarter_key, "year": year_key}


def group_value(key: GroupKey, order: dict, party: dict):
    """The value of `key` for `order` (whose party's data is `party`): a party by its name."""
    if key.source == "date":
        return PERIOD_KEYS[key.field](date.fromisoformat(str(order["date"])))
    if key.source == "party":
        return party.get("name", order["party"])
    return (order if key.source == "order" else party).get(key.field, key.default)


DATED_ENTRIES = ("payments", "shipments", "receipts")
"""The lists of an order whose entries are dated (`date`): what `as_of` trims."""


def as_of(order: dict, day: str) -> dict:
    """The order as it stood at the end of `day` (ISO), for a view pinned to that day: payments,
    refunds, credit drawn, its credit note and shipments or receipts dated later are not there
    yet, so a payment made afterwards is not paid yet; nor are the moves of its history made
    later, so its status is the one it had then (`workflow.moved_as_of`). The order itself
    is unchanged."""

    def by_then(entry) -> bool:
        return not isinstance(entry, dict) or str(entry.get("date") or "")[:10] <= day

    trimmed = dict(moved_as_of(order, "status", day))
    for name in DATED_ENTRIES:
        if isinstance(order.get(name), list):
            trimmed[name] = [entry for entry in order[name] if by_then(entry)]
    if isinstance(order.get("credit_note"), dict) and not by_then(order["credit_note"]):
        del trimmed["credit_note"]
    return trimmed


def last_move(order: dict) -> str | None:
    """The last day (ISO) of the order's dated entries (its history's moves, payments,
    shipments, receipts, credit note), None if it has none: `as_of` a day on or after it
    leaves the order as it is, so what is derived from the order as it stands holds for a
    view pinned to such a day (the index's agenda rows)."""
    days = [str(entry.get("at") or "")[:10] for entry in order.get("history") or () if isinstance(entry, dict)]
    for name in DATED_ENTRIES:
        if isinstance(order.get(name), list):
            days += [str(entry.get("date") or "")[:10] for entry in order[name] if isinstance(entry, dict)]
    if isinstance(order.get("credit_note"), dict):
        days.append(str(order["credit_note"].get("date") or "")[:10])
    return max(days, default=None)
