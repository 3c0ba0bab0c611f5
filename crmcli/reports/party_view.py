"""`crm show PARTY`: the 360° view of a customer or supplier."""

from __future__ import annotations

from crmcli.model.dates import parse_interval, read_day
from crmcli.model.record import Record
from crmcli.model.views import Column, Document, Fields, Table
from crmcli.reports.common import INTERACTION_COLUMNS, interaction_row, newest_first, when

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
        ("kind", f"{party.kind.name}, {data.get('entity', 'company')}" + (f", {data['lifecycle']}" if data.get("lifecycle") else "")),
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
    parts = [
        Fields([(label, value) for label, value in profile if value not in (None, "", [])], title=data.get("name")),
        Table(CONTACT_COLUMNS, [_contact_row(c) for c in data.get("contacts") or []], title="Contacts", empty="no contacts"),
        Table(STEP_COLUMNS, [{"due": r.data["next"].get("due"), "action": r.data["next"]["action"], "id": r.id,
                              "_style": "red" if str(r.data["next"].get("due", "9999")) < clock.today().isoformat() else None}
                             for r in open_steps], title="Open next steps", empty="no open next steps"),
        Table(INTERACTION_COLUMNS, [interaction_row(r.data, names, clock) for r in interactions],
              title="Timeline", empty="no interactions yet"),
    ]
    payload = {
        "party": data,
        "ref": party.ref,
        "last_contact": last,
        "open_next_steps": [r.data for r in open_steps],
        "interactions": [r.data for r in interactions],
    }
    return Document(parts, title=data.get("name"), payload=payload)

