"""Sales and purchase orders, one implementation for both directions: adding, moving
through their status machine, and recording payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from crmcli.actions.parties import assign_owner
from crmcli.errors import InvalidValue, NotFound
from crmcli.i18n import N_, _
from crmcli.model.dates import happened_day, moment_text, parse_day
from crmcli.model.kinds import KINDS, plays
from crmcli.model.money import MINOR_UNITS, parse_decimal, parse_positive, parse_rate, rounded
from crmcli.model.money import currency as currency_code
from crmcli.model.notices import Notice
from crmcli.model.orders import (
    EDITABLE_STATES,
    OWING_STATES,
    SKU_LIKE,
    outstanding,
    paid_known,
    parse_line,
    payment_due,
    shipment_field,
    still_to_ship,
    totals,
)
from crmcli.model.record import Record
from crmcli.model.workflow import order_workflow
from crmcli.query.resolve import resolve_party, resolve_record
from crmcli.store.questions import Match

DIRECTIONS = {"sale": "customer", "purchase": "supplier"}
MOVES = {"submit": "submitted", "revise": "draft", "confirm": "confirmed", "ship": "shipped", "receive": "shipped",
         "deliver": "delivered", "complete": "completed", "close": "completed", "cancel": "cancelled"}
"""Command → status; `receive` is a purchase's `ship` (goods in), `close` the old name of `complete`."""


def _catalog_line(repo, raw: dict, code: str, products: dict[str, dict]) -> dict:
    """A stored order line from a typed one, filling price, unit and tax from the catalog."""
    item = str(raw.get("item") or raw.get("sku") or raw.get("description") or "").strip()
    product = products.get(item) or next((data for key, data in products.items() if key.lower() == item.lower()), None)
    line: dict = {}
    if product is not None:
        line["sku"] = product["id"]
        line["description"] = raw.get("description") or product["name"]
        if product.get("currency") and product["currency"] != code and "unit_price" not in raw:
            raise InvalidValue(_("{sku} is priced in {currency}, the order in {code}: give a price").format(
                sku=product["id"], currency=product["currency"], code=code))
    elif "unit_price" in raw and not (SKU_LIKE.match(item) and " " not in item):
        line["description"] = item
    else:
        raise InvalidValue(
            _("unknown SKU {item!r} (add it with crm product add; a free-text line is words with a price)")
            .format(item=item))
    quantity = parse_decimal(raw["quantity"], N_("quantity"))
    if quantity <= 0:
        raise InvalidValue(_("{item}: the quantity must be more than zero").format(item=item))
    line["quantity"] = int(quantity) if quantity == quantity.to_integral_value() else quantity
    unit = raw.get("unit") or (product or {}).get("unit")
    if unit:
        line["unit"] = unit
    price = raw.get("unit_price", (product or {}).get("price"))
    if price is None:
        raise InvalidValue(_("{item} has no price in the catalog: give one (@ PRICE)").format(item=item))
    price = parse_decimal(price, N_("price"))
    if price < 0:
        raise InvalidValue(_("{item}: a price cannot be negative").format(item=item))
    places = -int(price.as_tuple().exponent)  # an int: parse_decimal refuses NaN and infinity
    line["unit_price"] = price if places > MINOR_UNITS[code] else rounded(price, code)
    discount = parse_rate(raw["discount"], N_("discount")) if raw.get("discount") not in (None, "") else 0
    if discount:
        line["discount"] = discount
    rate = raw.get("tax_rate", (product or {}).get("tax_rate", repo.config.raw.get("tax_rate")))
    if rate is not None:
        line["tax_rate"] = parse_rate(rate, N_("tax rate"))
    return line


def order_party(repo, text: str, direction: str) -> Record:
    """The party `text` names for an order: among the customers (sales) or suppliers
    (purchases) first, else among all parties, where one filed under the other kind may play
    this role too (`roles: [customer, supplier]`); `new_order` says when it does not."""
    try:
        return resolve_party(repo, text, (KINDS[DIRECTIONS[direction]],))
    except NotFound:
        return resolve_party(repo, text)


def add_order(repo, direction: str, party: Record, **how) -> Record:
    """A new sales (`sale`) or purchase (`purchase`) order; lines are typed text or dicts."""
    record = new_order(repo, direction, party, **how)
    kind = KINDS["order"]
    with repo.writing(f"{'order' if direction == 'sale' else 'purchase'}: add for {party.title} "
                      f"({record['totals']['gross']} {record['currency']})") as tx:
        ref = tx.add(kind, record)
    return Record(ref, kind, record)


def new_order(repo, direction: str, party: Record, *, lines: list, currency: str | None = None,
              owner: str | None = None, region: str | None = None, day: str | None = None,
              special: bool = False, counts: bool | None = None, delivery_due: str | None = None,
              pay_by: str | None = None, status: str | None = None, reference: str | None = None,
              note: str | None = None, by: str | None = None, deal: str | None = None,
              products: dict[str, dict] | None = None, imported: str | None = None) -> dict:
    """An order record (without its id), for `crm order add` and for imports. `products`
    is the catalog by SKU (read from the index when not given); `imported` names the file
    an order came from, which then starts its history in `status` at once."""
    if not plays(party.kind, party.data, DIRECTIONS[direction]):
        raise InvalidValue(_("{ref} is a {kind}; a {direction} needs a {wanted}").format(
            ref=party.ref, kind=_(party.kind.name), direction=_(direction), wanted=_(DIRECTIONS[direction])))
    if isinstance(lines, dict):
        lines = lines.get("lines")
    if not lines:
        raise InvalidValue(_("an order needs at least one line (--line \"SKU QUANTITY [@ PRICE]\")"))
    if not isinstance(lines, list) or not all(isinstance(line, (str, dict)) for line in lines):
        raise InvalidValue(_("order lines must be a list (sku, description, quantity, unit_price, discount, tax_rate)"))
    clock = repo.clock
    code = currency_code(currency or repo.config.currency)
    order_day = parse_day(day, clock) if day else clock.today()
    if products is None:
        products = {p.id: p.data for p in repo.records("product")}
    stored = [_catalog_line(repo, parse_line(line) if isinstance(line, str) else dict(line), code, products)
              for line in lines]
    record: dict = {"kind": direction, "party": party.ref}
    assign_owner(repo, record, party, owner)
    if region or party.data.get("region"):
        record["region"] = region or party.data["region"]
    record.update({"date": order_day.isoformat(), "currency": code, "type": "special" if special else "standard",
                   "counts_toward_target": (not special) if counts is None else counts})
    if reference:
        record["reference"] = reference
    record["lines"] = stored
    record["totals"] = totals(stored, code)
    machine = order_workflow(repo.config.review_orders)
    # The status an order is added (or imported) in is the one it had on its date: a run
    # pinned to a later day sees it so, while `created` keeps when it was typed. An order
    # dated ahead got its status now, not on a day still to come.
    started = _moment(repo, min(order_day, clock.today()))
    if imported:
        machine.arrive(record, status or machine.initial, started, by or repo.config.me, f"imported from {imported}")
    else:
        machine.start(record, started, by or repo.config.me, status)
        if record["status"] in ("shipped", "delivered", "completed"):
            record[shipment_field(record)] = [_shipment(record, order_day, None, None, [], by or repo.config.me)]
        if record["status"] in ("delivered", "completed"):
            record["delivered"] = order_day.isoformat()
    if delivery_due:
        record["delivery_due"] = parse_day(delivery_due, clock).isoformat()
    terms = party.data.get("payment_terms")
    if terms:
        record["payment_terms"] = terms
    due = parse_day(pay_by, clock) if pay_by else payment_due(terms, date.fromisoformat(
        record.get("delivery_due", order_day.isoformat())))
    if due:
        record["payment_due"] = due.isoformat()
    elif terms:
        repo.warnings.append(Notice(_("payment terms {terms!r} of {ref} are not understood; no payment due date "
                                      "set").format(terms=terms, ref=party.ref), party.path))
    record["payments"] = []
    if deal:
        record["deal"] = deal
    if note:
        record["notes"] = note
    return record


def _moment(repo, day: date) -> str:
    """The moment a move made on `day` is recorded at: now, or that day at this time of day."""
    now = repo.clock.now()
    return moment_text(now if day == now.date() else datetime.combine(day, now.time(), now.tzinfo))


def _shipment(order: dict, day: date, carrier: str | None, tracking: str | None, items: list[str],
              by: str | None) -> dict:
    """One shipment (or receipt) of `items` (`SKU=QTY` or `LINE=QTY`; none: all still to ship)."""
    left = still_to_ship(order)
    wanted = [Decimal(0)] * len(left) if items else list(left)
    for item in items:
        key, _sep, amount = item.rpartition("=")
        index = _line_index(order, key.strip())
        if index is None or not amount.strip():
            raise InvalidValue(_("--item {item!r}: write SKU=QUANTITY or LINE=QUANTITY (a line of the order)").format(
                item=item))
        wanted[index] += parse_decimal(amount.strip(), N_("quantity"))
    parts = []
    for index, quantity in enumerate(wanted):
        if quantity < 0 or quantity > left[index]:
            raise InvalidValue(_("line {line} of {id}: {quantity} is more than the {left} still to ship").format(
                line=index + 1, id=order.get("id"), quantity=quantity, left=left[index]))
        if quantity:
            line = order["lines"][index]
            parts.append({"line": index + 1, **({"sku": line["sku"]} if line.get("sku") else {}),
                          "quantity": int(quantity) if quantity == quantity.to_integral_value() else quantity})
    if not parts:
        raise InvalidValue(_("{id}: nothing left to ship").format(id=order.get("id")))
    shipment: dict = {"date": day.isoformat()}
    if carrier:
        shipment["carrier"] = carrier
    if tracking:
        shipment["tracking"] = tracking
    shipment["lines"] = parts
    if by:
        shipment["by"] = by
    return shipment


def _line_index(order: dict, key: str) -> int | None:
    """The index of the order line `key` names: its number (1…) or its SKU."""
    if key.isdigit() and 1 <= int(key) <= len(order["lines"]):
        return int(key) - 1
    return next((i for i, line in enumerate(order["lines"]) if str(line.get("sku", "")).lower() == key.lower()), None)


def move_order(repo, order: Record, action: str, *, by: str | None = None, note: str | None = None,
               day: str | None = None, carrier: str | None = None, tracking: str | None = None,
               items: list[str] | None = None, settle: str | None = None) -> Record:
    """Submit, confirm, ship (or receive, part or all), deliver, complete or cancel, recorded in
    the order's history with who and when (`day`, default today). A cancelled order holding
    payments is settled: `settle` is `refund` (the money goes back) or `credit` (kept as a
    credit the party uses on a later order, see `pay --from-credit`)."""
    target = MOVES[action]
    clock = repo.clock
    when = happened_day(day, clock, "--date", not_before=date.fromisoformat(order.data["date"]))
    who = by or repo.config.me
    with repo.writing(f"order: {order.id} {target}") as tx:
        data = tx.fresh(order).data
        if action in ("ship", "receive") and (action == "receive") != (data["kind"] == "purchase"):
            raise InvalidValue(_("{id}: a sales order ships, a purchase order is received").format(id=order.id))
        shipment = None
        if target == "shipped" and data.get("status") in ("confirmed", "shipped"):
            shipment = _shipment(data, when, carrier, tracking, items or [], who)
            after = {**data, shipment_field(data): [*(data.get(shipment_field(data)) or []), shipment]}
            note = note or ("partial" if any(still_to_ship(after)) else "in full")
        if target == "confirmed" and data.get("status") == "draft" and repo.config.review_orders:
            group = "order" if data["kind"] == "sale" else "purchase"
            raise InvalidValue(_("{id} is a draft: submit it for review first (crm {group} submit {id}); "
                                 "crm.yaml's orders: {{review: false}} lets a draft be confirmed at once").format(
                id=order.id, group=group))
        order_workflow(repo.config.review_orders).move(data, target, _moment(repo, when), who, note)
        if shipment is not None:
            data.setdefault(shipment_field(data), []).append(shipment)
        if target == "delivered":
            data["delivered"] = when.isoformat()
        if target == "cancelled":
            _settle(data, settle, when, who)
        tx.update(order)
    return order


def _settle(data: dict, settle: str | None, day: date, by: str | None) -> None:
    """What becomes of the money on an order being cancelled: a refund entry that pays it
    back, or nothing moved (the payments stay, the order's balance below zero is the party's
    credit). Cancelling with money on it and no choice is refused: money never vanishes."""
    held = paid_known(data)
    if held <= 0:
        return
    if settle not in ("refund", "credit"):
        raise InvalidValue(_("{id} holds {amount} {currency} of payments: cancel with --refund (paid back) or "
                             "--credit (kept as a credit for the next order)").format(
            id=data.get("id"), amount=held, currency=data["currency"]))
    if settle == "refund":
        data["payments"].append({"date": day.isoformat(), "amount": -held, "method": "refund",
                                 **({"note": f"refund by {by}"} if by else {})})
    else:
        data["credit_note"] = {"date": day.isoformat(), "amount": held}


def edit_order(repo, order: Record, *, lines: list | None = None, delivery_due: str | None = None,
               pay_by: str | None = None, reference: str | None = None, note: str | None = None,
               by: str | None = None) -> Record:
    """Change an order still being drafted or under review: its lines (totals follow), dates,
    reference or notes. Once confirmed it is a commitment: cancel it and add another."""
    with repo.writing(f"order: edit {order.id}") as tx:
        data = tx.fresh(order).data
        if data.get("status", "draft") not in EDITABLE_STATES:
            raise InvalidValue(_("{id} is {status}: only a draft or an order under review can be edited "
                                 "(cancel it and add a new one)").format(id=order.id, status=_(data["status"])))
        changed = []
        if lines:
            products = {p.id: p.data for p in repo.records("product")}
            data["lines"] = [_catalog_line(repo, parse_line(line) if isinstance(line, str) else dict(line),
                                           data["currency"], products) for line in lines]
            data["totals"] = totals(data["lines"], data["currency"])
            changed.append("lines")
        for key, value in (("delivery_due", delivery_due), ("payment_due", pay_by)):
            if value:
                data[key] = parse_day(value, repo.clock).isoformat()
                changed.append(key)
        if reference:
            data["reference"] = reference
            changed.append("reference")
        if note:
            data["notes"] = note
            changed.append("notes")
        if not changed:
            raise InvalidValue(_("nothing to change: give --line, --delivery-due, --payment-due, --reference or "
                                 "--note"))
        data.setdefault("history", []).append({"at": moment_text(repo.clock.now()), "status": data["status"],
                                               **({"by": by or repo.config.me} if by or repo.config.me else {}),
                                               "note": "edited: " + ", ".join(changed)})
        tx.update(order)
    return order


def pay(repo, order: Record, amount: str, *, day: str | None = None, method: str | None = None,
        ref: str | None = None, note: str | None = None, allow_overpay: bool = False,
        from_credit: bool = False) -> Decimal:
    """Record a payment on an order; returns what is still outstanding. The order is read
    again under the writers' lock, so two payments made at once are both kept. Only an
    order confirmed or later takes money (a draft is a quote). `from_credit` pays it from
    the party's credit (overpayments, cancelled orders kept as credit), oldest first."""
    value = parse_positive(amount, order.data["currency"], N_("a payment"))
    paid_on = happened_day(day, repo.clock, "--date").isoformat()  # a deposit may come before the order's date
    payment: dict = {"date": paid_on, "amount": value}
    for key, text in (("method", "credit" if from_credit else method), ("ref", ref), ("note", note)):
        if text:
            payment[key] = text
    verb = "received" if order.data["kind"] == "sale" else "paid"
    with repo.writing(f"pay: {value} {order.data['currency']} {verb} on {order.id}") as tx:
        data = tx.fresh(order).data
        if data.get("status") not in OWING_STATES:
            raise InvalidValue(_("{id} is {status}: only a confirmed (or later) order takes payments").format(
                id=order.id, status=_(data.get("status"))))
        due = Decimal(data["totals"]["gross"]) - paid_known(data)
        if value > due and not allow_overpay:
            raise InvalidValue(_("{amount} {currency} is more than the {due} outstanding on {id} "
                                 "(--allow-overpay to record it anyway)").format(
                amount=value, currency=data["currency"], due=due, id=order.id))
        if from_credit:
            _draw_credit(repo, tx, data, value, paid_on)
        data.setdefault("payments", []).append(payment)
        tx.update(order)
    return due - value


def _draw_credit(repo, tx, data: dict, value: Decimal, day: str) -> None:
    """Take `value` from the credit the party holds on its other orders in this currency,
    oldest first: each gives up its part as a payment of `method: credit` below zero, so the
    sum over the party's orders, and every report, stays the same."""
    left = value
    for source in sorted(repo.records("order", Match(party=data["party"])), key=lambda r: str(r.data["date"])):
        if left <= 0:
            break
        if source.id == data["id"] or source.data["currency"] != data["currency"]:
            continue
        due = outstanding(tx.fresh(source).data)
        if due is None or due >= 0:
            continue  # no credit, or payments this user cannot read (nor change)
        credit = -due
        taken = min(credit, left)
        source.data.setdefault("payments", []).append(
            {"date": day, "amount": -taken, "method": "credit", "note": f"used on {data['id']}"})
        tx.update(source)
        left -= taken
    if left > 0:
        raise InvalidValue(_("{party} has only {credit} {currency} of credit").format(
            party=data["party"], credit=value - left, currency=data["currency"]))


def find_order(repo, text: str, direction: str | None = None) -> Record:
    order = resolve_record(repo, KINDS["order"], text)
    if direction and order.data.get("kind") != direction:
        raise NotFound(_("{id} is a {kind} order, not a {direction}").format(
            id=order.id, kind=_(order.data.get("kind")), direction=_(direction)))
    return order
