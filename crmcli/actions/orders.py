"""Sales and purchase orders, one implementation for both directions: adding, moving
through their status machine, and recording payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crmcli.actions.parties import assign_owner
from crmcli.errors import InvalidValue, NotFound
from crmcli.i18n import N_, _
from crmcli.model.dates import moment_text, parse_day
from crmcli.model.kinds import KINDS
from crmcli.model.money import MINOR_UNITS, parse_amount, parse_decimal, parse_rate, rounded
from crmcli.model.money import currency as currency_code
from crmcli.model.notices import Notice
from crmcli.model.orders import SKU_LIKE, balance, parse_line, payment_due, totals
from crmcli.model.record import Record
from crmcli.model.workflow import ORDER

DIRECTIONS = {"sale": "customer", "purchase": "supplier"}
MOVES = {"confirm": "confirmed", "ship": "shipped", "deliver": "delivered", "close": "closed", "cancel": "cancelled"}


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
    if party.kind.name != DIRECTIONS[direction]:
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
    if imported:
        ORDER.arrive(record, status or ORDER.initial, moment_text(clock.now()), by or repo.config.me,
                     f"imported from {imported}")
    else:
        ORDER.start(record, moment_text(clock.now()), by or repo.config.me, status)
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


def move_order(repo, order: Record, action: str, *, by: str | None = None, note: str | None = None,
               day: str | None = None) -> Record:
    """confirm, ship, deliver, close or cancel, recorded in the order's history."""
    target = MOVES[action]
    clock = repo.clock
    when = parse_day(day, clock) if day else clock.today()
    with repo.writing(f"order: {order.id} {target}") as tx:
        ORDER.move(tx.fresh(order).data, target, moment_text(clock.now()), by or repo.config.me, note)
        if target == "delivered":
            order.data["delivered"] = when.isoformat()
        tx.update(order)
    return order


def pay(repo, order: Record, amount: str, *, day: str | None = None, method: str | None = None,
        ref: str | None = None, note: str | None = None, allow_overpay: bool = False) -> Decimal:
    """Record a payment on an order; returns what is still outstanding. The order is read
    again under the writers' lock, so two payments made at once are both kept."""
    value = parse_amount(amount, order.data["currency"])
    if value <= 0:
        raise InvalidValue(_("a payment must be more than zero"))
    payment: dict = {"date": (parse_day(day, repo.clock) if day else repo.clock.today()).isoformat(), "amount": value}
    for key, text in (("method", method), ("ref", ref), ("note", note)):
        if text:
            payment[key] = text
    verb = "received" if order.data["kind"] == "sale" else "paid"
    with repo.writing(f"pay: {value} {order.data['currency']} {verb} on {order.id}") as tx:
        data = tx.fresh(order).data
        if data.get("status") == "cancelled":
            raise InvalidValue(_("{id} is cancelled: it takes no payments").format(id=order.id))
        due = balance(data)
        if value > due and not allow_overpay:
            raise InvalidValue(_("{amount} {currency} is more than the {due} outstanding on {id} "
                                 "(--allow-overpay to record it anyway)").format(
                amount=value, currency=data["currency"], due=due, id=order.id))
        data.setdefault("payments", []).append(payment)
        tx.update(order)
    return balance(data)


def find_order(repo, text: str, direction: str | None = None) -> Record:
    from crmcli.query.resolve import resolve_record

    order = resolve_record(repo, KINDS["order"], text)
    if direction and order.data.get("kind") != direction:
        raise NotFound(_("{id} is a {kind} order, not a {direction}").format(
            id=order.id, kind=_(order.data.get("kind")), direction=_(direction)))
    return order
