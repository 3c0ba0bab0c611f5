"""`crm show PARTY`: the 360° view of a customer or supplier."""

from __future__ import annotations

from decimal import Decimal

from crmcli.model.dates import parse_interval, read_day
from crmcli.model.record import Record
from crmcli.model.views import Column, Document, Fields, Table
from crmcli.model.money import format_money
from crmcli.model.orders import is_open, on_time, outstanding
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_row, newest_first, when
from crmcli.reports.orders import order_list
from crmcli.reports.pipeline import deal_list, ticket_list, tiers
from crmcli.reports.records import contract_list

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


def _address(address: dict) -> str:
    parts = [address.get(key) for key in ("street", "city", "province", "postcode", "country")]
    text = ", ".join(str(p) for p in parts if p)
    return f"{address['label']}: {text}" if address.get("label") else text


def _contact_row(contact: dict) -> dict:
    handles = []
    if contact.get("wechat"):
        handles.append(f"wechat {contact['wechat']}")
    handles += [f"{network} {handle}" for network, handle in (contact.get("im") or {}).items()]
    return {**contact, "primary": "★" if contact.get("primary") else "", "im": handles}


def outstanding_by_currency(orders) -> dict[str, Decimal]:
    """What is owed on the orders, per currency (never added across currencies)."""
    balances: dict[str, Decimal] = {}
    for order in orders:
        due = outstanding(order)
        if due:
            balances[order["currency"]] = balances.get(order["currency"], Decimal(0)) + due
    return balances


def on_time_summary(orders: list[dict]) -> str:
    """`7 of 9 on time (78%)` over delivered orders with a due date."""
    judged = [flag for flag in (on_time(o) for o in orders) if flag is not None]
    if not judged:
        return "no deliveries with a due date yet"
    hits = sum(judged)
    return f"{hits} of {len(judged)} on time ({hits * 100 // len(judged)}%)"


def party_view(repo, party: Record) -> Document:
    data = party.data
    clock = repo.clock
    interactions = newest_first(repo.records("interaction", "party = ?", (party.ref,)))
    names = repo.index.party_names()
    open_steps = sorted(
        (r for r in interactions if (r.data.get("next") or {}).get("action") and not r.data["next"].get("done")),
        key=lambda r: str(r.data["next"].get("due", "9999")),
    )
    last = interactions[0].data if interactions else None
    cadence = data.get("follow_up_every") or repo.config.follow_up_every
    follow_up = ""
    if last:
        due = read_day(str(last["at"]), clock) + parse_interval(cadence)
        late = (clock.today() - due).days
        follow_up = f"every {cadence}; next contact due {due.isoformat()}" + (f" ({late} days late)" if late > 0 else "")
    profile = [
        ("id", party.ref),
        ("name", data.get("name")),
        ("kind", f"{party.kind.name} ({data.get('entity', 'company')})"),
        ("lifecycle", data.get("lifecycle")),
        ("industry", data.get("industry")),
        ("tags", data.get("tags")),
        ("owner", data.get("owner")),
        ("region", data.get("region")),
        ("addresses", "; ".join(_address(a) for a in data.get("addresses") or [])),
        ("phones", data.get("phones")),
        ("emails", data.get("emails")),
        ("website", data.get("website")),
        ("tax id", data.get("tax_id")),
        ("payment terms", data.get("payment_terms")),
        ("follow-up", follow_up or f"every {cadence}"),
        ("last contact", f"{when(last['at'], clock)} {last['type']}: {last['summary']}" if last else "never"),
        ("notes", (data.get("notes") or "").strip()),
    ]
    orders = repo.records("order", "party = ?", (party.ref,))
    balances = outstanding_by_currency(o.data for o in orders)
    profile.insert(-1, ("outstanding", ", ".join(format_money(v, c) for c, v in sorted(balances.items())) or "nothing"))
    if party.kind.name == "supplier":
        profile.insert(-1, ("on-time delivery", on_time_summary([o.data for o in orders])))
    contracts = repo.records("contract", "party = ?", (party.ref,))
    deals = repo.records("deal", "party = ?", (party.ref,))
    tickets = repo.records("ticket", "party = ?", (party.ref,))
    tier = tiers(repo).get(party.ref) if party.kind.name == "customer" else None
    if tier:
        profile.insert(-1, ("tier", tier))
    parts = [
        Fields([(label, value) for label, value in profile if value not in (None, "", [])], title=data.get("name")),
        Table(CONTACT_COLUMNS, [_contact_row(c) for c in data.get("contacts") or []], title="Contacts", empty="no contacts"),
        Table(STEP_COLUMNS, [{"due": r.data["next"].get("due"), "action": r.data["next"]["action"], "id": r.id,
                              "_style": "red" if str(r.data["next"].get("due", "9999")) < clock.today().isoformat() else None}
                             for r in open_steps], title="Open next steps", empty="no open next steps"),
        order_list(repo, [o for o in orders if is_open(o.data)], title="Open orders", empty="no open orders"),
        contract_list(repo, contracts, title="Contracts", empty="no contracts"),
        deal_list(repo, deals, title="Deals"),
        ticket_list(repo, tickets, title="Tickets"),
    ]
    if party.kind.name == "supplier":
        parts.append(order_list(repo, orders, title="Purchase history", empty="no purchases"))
    parts.append(Table(INTERACTION_COLUMNS, [interaction_row(r.data, names, clock) for r in interactions],
                       title="Timeline", empty="no interactions yet"))
    payload = {
        "party": data,
        "ref": party.ref,
        "last_contact": last,
        "open_next_steps": [r.data for r in open_steps],
        "interactions": [r.data for r in interactions],
        "open_orders": [o.data for o in orders if is_open(o.data)],
        "outstanding": balances,
        "contracts": [c.data for c in contracts],
        "deals": [d.data for d in deals],
        "tickets": [t.data for t in tickets],
        "tier": tier,
        "orders": [o.data for o in orders],
    }
    return Document(parts, title=data.get("name"), payload=payload)

