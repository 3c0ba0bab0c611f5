"""`crm show PARTY`: the 360° view of a customer or supplier."""

from __future__ import annotations

from decimal import Decimal

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _, ngettext
from crmcli.model.kinds import plays
from crmcli.model.money import format_money, rounded
from crmcli.model.orders import OWING_STATES, is_open, judged_deliveries, line_items, outstanding, paid
from crmcli.model.pipeline import follow_up_due
from crmcli.model.points import balance
from crmcli.model.record import Record
from crmcli.model.taxids import check_tax_id, country_of
from crmcli.model.views import Column, Document, Fields, Table
from crmcli.query.sales import member_points, tiers
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_rows, newest_first, when
from crmcli.reports.pipeline import deal_list, ticket_list
from crmcli.reports.records import contract_list
from crmcli.store.questions import Match

CONTACT_COLUMNS = [
    Column("primary", "★"),
    Column("name", "name"),
    Column("title", "title"),
    Column("phones", "phones"),
    Column("emails", "emails"),
    Column("im", "wechat / im"),
    Column("birthday", "birthday", style="date"),
]
STEP_COLUMNS = [Column("due", "due", style="date"), Column("action", "next step"), Column("id", "id", style="id")]
ORDER_COLUMNS = [
    Column("date", "date", style="date"),
    Column("id", "id", style="id"),
    Column("status", "status", translate=True),
    Column("items", "items"),
    Column("currency", "cur"),
    Column("gross", "gross", align="right", style="money"),
    Column("paid", "paid", align="right", style="money"),
    Column("outstanding", "outstanding", align="right", style="money"),
    Column("payment_due", "pay by", style="date"),
]
PAYMENT_COLUMNS = [
    Column("date", "date", style="date"),
    Column("order", "order", style="id"),
    Column("currency", "cur"),
    Column("amount", "amount", align="right", style="money"),
    Column("method", "method"),
    Column("ref", "ref"),
]
RECENT = 10
"""How many orders and payments the view lists, newest first; a last line counts the rest."""
DIRECTIONS = {"sale": (N_("Sales orders"), N_("lifetime revenue")),
              "purchase": (N_("Purchase orders"), N_("lifetime purchases"))}


def _address(address: dict) -> str:
    parts = [address.get(key) for key in ("street", "city", "province", "postcode", "country")]
    text = ", ".join(str(p) for p in parts if p)
    return f"{address['label']}: {text}" if address.get("label") else text


def _contact_row(contact: dict) -> dict:
    handles = []
    if contact.get("wechat"):
        handles.append(f"{_('wechat')} {contact['wechat']}")
    handles += [f"{network} {handle}" for network, handle in (contact.get("im") or {}).items()]
    return {**contact, "primary": "★" if contact.get("primary") else "", "im": handles}


def outstanding_by_currency(orders) -> dict[str, Decimal]:
    """What is owed on the orders, per currency (never added across currencies), less the
    party's credit: the same total as the receivables report, the ledger and Beancount."""
    balances: dict[str, Decimal] = {}
    for order in orders:
        due = outstanding(order)
        if due:
            balances[order["currency"]] = balances.get(order["currency"], Decimal(0)) + due
    return balances


def balance_text(orders: list[dict]) -> str:
    """`1,200.00 CNY` owed, `-5.00 CNY (credit)` when the party has paid more than it owes,
    and the credit taken off when it has some: `1,195.00 CNY (after 5.00 CNY credit)`."""
    credits = outstanding_by_currency([o for o in orders if outstanding(o) < 0])
    parts = []
    for code, value in sorted(outstanding_by_currency(orders).items()):
        text = format_money(value, code)
        if value < 0:
            text = _("{amount} (credit)").format(amount=text)
        elif code in credits:
            text = _("{amount} (after {credit} credit)").format(amount=text, credit=format_money(-credits[code], code))
        parts.append(text)
    return ", ".join(parts)


def _tax_id(data: dict) -> str | None:
    """The tax id, with the region a Chinese code was registered in, or what is wrong with it."""
    if not data.get("tax_id"):
        return None
    try:
        checked = check_tax_id(str(data["tax_id"]), country_of(data))
    except InvalidValue:
        return _("{tax_id} (invalid: see crm check)").format(tax_id=data["tax_id"])
    return f"{data['tax_id']} ({checked.region})" if checked and checked.region else str(data["tax_id"])


def on_time_summary(orders: list[dict], today) -> str:
    """`7 of 9 on time (78%)` over the orders with a due date, delivered or overdue by `today`."""
    judged = [flag for _order, flag in judged_deliveries(orders, today)]
    if not judged:
        return _("no deliveries with a due date yet")
    hits = sum(judged)
    return _("{hits} of {count} on time ({share}%)").format(hits=hits, count=len(judged),
                                                            share=hits * 100 // len(judged))


def lifetime(orders: list[dict]) -> str:
    """`1,234,567.00 CNY net in 12 orders, 2025-12-04 to 2026-11-21`: what the confirmed (or
    later) orders came to, per currency (never added across currencies), as the ledger counts them."""
    counted = [order for order in orders if order.get("status") in OWING_STATES]
    parts = []
    for code in sorted({order["currency"] for order in counted}):
        mine = [order for order in counted if order["currency"] == code]
        net = sum((Decimal(order["totals"]["net"]) for order in mine), Decimal(0))
        days = sorted(str(order["date"]) for order in mine)
        parts.append(ngettext("{amount} net in {count} order, {first} to {last}",
                              "{amount} net in {count} orders, {first} to {last}", len(mine)).format(
            amount=format_money(net, code), count=len(mine), first=days[0], last=days[-1]))
    return "; ".join(parts)


def _more(rows: list[dict], column: str, hint: str) -> list[dict]:
    """The first RECENT rows, and a last line saying how many more there are and where to see them."""
    if len(rows) <= RECENT:
        return rows
    rest = len(rows) - RECENT
    return [*rows[:RECENT], {column: _("{count} more: {hint}").format(count=rest, hint=hint), "_style": "dim"}]


def order_table(repo, orders: list[dict], direction: str, party: Record) -> Table:
    """The party's orders of one direction, every status, newest first, with what each was
    for and what is paid and owed; the oldest beyond RECENT are counted on a last line."""
    orders = sorted(orders, key=lambda order: (str(order.get("date")), order["id"]), reverse=True)
    today = repo.clock.today().isoformat()
    rows = []
    for order in orders:
        code, due = order["currency"], outstanding(order)
        late = due > 0 and order.get("payment_due") and str(order["payment_due"]) < today
        rows.append({**order, "items": line_items(order.get("lines") or []), "gross": order["totals"]["gross"],
                     "paid": rounded(paid(order), code), "outstanding": rounded(due, code),
                     "_style": "red" if late else ("dim" if not is_open(order) else None)})
    title, _label = DIRECTIONS[direction]
    return Table(ORDER_COLUMNS, _more(rows, "items", list_command(direction, party)), title=title,
                 records=orders[:RECENT], empty=N_("no orders"))


def list_command(direction: str, party: Record) -> str:
    """The command that lists all of the party's orders of one direction."""
    return f"crm {'order' if direction == 'sale' else 'purchase'} list party:{party.id}"


def payment_table(orders: list[dict], direction: str, party: Record) -> Table:
    """Every payment on the party's orders (both directions), newest first."""
    rows = sorted(({**payment, "order": order["id"], "currency": order["currency"]}
                   for order in orders for payment in order.get("payments") or []),
                  key=lambda row: (str(row.get("date")), row["order"]), reverse=True)
    return Table(PAYMENT_COLUMNS, _more(rows, "ref", list_command(direction, party)),
                 title=N_("Payments"), records=rows[:RECENT], empty=N_("no payments"))


def party_view(repo, party: Record) -> Document:
    """The 360° view; a party with both roles (客商) shows both sides: what it owes us and
    what we owe it, its tier as a customer, its purchase history and on-time delivery."""
    data = party.data
    clock = repo.clock
    roles = [party.kind.name, *(role for role in ("customer", "supplier")
                                if role != party.kind.name and plays(party.kind, data, role))]
    interactions = newest_first(repo.records("interaction", Match(party=party.ref,
                                                                  until=repo.clock.today().isoformat())))
    names = repo.index.party_names()
    open_steps = sorted(
        (r for r in interactions if (r.data.get("next") or {}).get("action") and not r.data["next"].get("done")),
        key=lambda r: str(r.data["next"].get("due", "9999")),
    )
    last = interactions[0].data if interactions else None
    cadence = data.get("follow_up_every") or repo.config.follow_up_every
    due = follow_up_due(str(last["at"]) if last else None, str(data["created"]), cadence, clock)
    late = (clock.today() - due).days
    follow_up = (_("every {cadence}; next contact due {day} ({late} days late)") if late > 0
                 else _("every {cadence}; next contact due {day}")).format(cadence=cadence, day=due.isoformat(),
                                                                          late=late)
    profile = [
        (N_("id"), party.ref),
        (N_("name"), data.get("name")),
        (N_("kind"), f"{_(' and ').join(_(role) for role in roles)} ({_(data.get('entity', 'company'))})"),
        (N_("lifecycle"), _(data.get("lifecycle"))),
        (N_("industry"), data.get("industry")),
        (N_("tags"), data.get("tags")),
        (N_("owner"), data.get("owner")),
        (N_("region"), data.get("region")),
        (N_("addresses"), "; ".join(_address(a) for a in data.get("addresses") or [])),
        (N_("phones"), data.get("phones")),
        (N_("emails"), data.get("emails")),
        (N_("website"), data.get("website")),
        (N_("tax id"), _tax_id(data)),
        (N_("payment terms"), data.get("payment_terms")),
        (N_("follow-up"), follow_up or _("every {cadence}").format(cadence=cadence)),
        (N_("last contact"), f"{when(last['at'], clock)} {_(last['type'])}: {last['summary']}" if last else _("never")),
        (N_("notes"), (data.get("notes") or "").strip()),
    ]
    orders = [o.data for o in repo.records("order", Match(party=party.ref))]
    sides = {"customer": "sale", "supplier": "purchase"}
    directions = [d for d in DIRECTIONS if any(o["kind"] == d for o in orders)
                  or any(sides[role] == d for role in roles if role in sides)]
    for direction in directions:
        profile.insert(-1, (DIRECTIONS[direction][1],
                            lifetime([o for o in orders if o["kind"] == direction]) or _("nothing yet")))
    sold = [o for o in orders if o["kind"] == "sale"]
    bought = [o for o in orders if o["kind"] == "purchase"]
    first = sold if "customer" in roles else bought  # a party with both roles: what it owes us first
    balances = outstanding_by_currency(first)
    profile.insert(-1, (N_("outstanding"), balance_text(first) or _("nothing")))
    if len(roles) > 1:
        profile.insert(-1, (N_("we owe"), balance_text(bought) or _("nothing")))
    if "purchase" in directions:
        profile.insert(-1, (N_("on-time delivery"), on_time_summary(bought, repo.clock.today())))
    about = Match(party=party.ref)
    contracts = repo.records("contract", about)
    deals = repo.records("deal", about)
    tickets = repo.records("ticket", about)
    tier = tiers(repo, party).get(party.ref) if "customer" in roles else None
    if tier:
        profile.insert(-1, (N_("tier"), _(tier)))
    membership = data.get("membership")
    if isinstance(membership, dict):
        profile.insert(-1, (N_("member"), _("{number} since {since}, {points} points (crm points {id})").format(
            number=membership.get("number"), since=membership.get("since"),
            points=balance(member_points(repo, party)), id=party.id)))
    today = clock.today().isoformat()
    parts: list[Table | Fields] = [
        Fields([(label, value) for label, value in profile if value not in (None, "", [])], title=data.get("name")),
        Table(CONTACT_COLUMNS, [_contact_row(c) for c in data.get("contacts") or []], title="Contacts",
              empty="no contacts"),
        Table(STEP_COLUMNS, [{"due": r.data["next"].get("due"), "action": r.data["next"]["action"], "id": r.id,
                              "_style": "red" if str(r.data["next"].get("due", "9999")) < today else None}
                             for r in open_steps], title="Open next steps", empty="no open next steps"),
        *(order_table(repo, [o for o in orders if o["kind"] == direction], direction, party)
          for direction in directions),
        payment_table(orders, directions[0], party),
        contract_list(repo, contracts, title=N_("Contracts"), empty=N_("no contracts")),
        deal_list(repo, deals, title=N_("Deals")),
        ticket_list(repo, tickets, title=N_("Tickets")),
    ]
    parts.append(Table(INTERACTION_COLUMNS, interaction_rows(interactions, names, clock),
                       title="Timeline", empty="no interactions yet"))
    payload = {
        "party": data,
        "ref": party.ref,
        "last_contact": last,
        "open_next_steps": [r.data for r in open_steps],
        "interactions": [r.data for r in interactions],
        "open_orders": [o for o in orders if is_open(o)],
        "outstanding": balances,
        "contracts": [c.data for c in contracts],
        "deals": [d.data for d in deals],
        "tickets": [t.data for t in tickets],
        "tier": tier,
        "orders": sorted(orders, key=lambda o: (str(o.get("date")), o["id"]), reverse=True),
    }
    return Document(parts, title=data.get("name"), payload=payload)

