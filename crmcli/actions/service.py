"""Service tickets (with their service-level due times) and marketing campaigns."""

from __future__ import annotations

from crmcli.actions.contacts import find_contact
from crmcli.actions.parties import assign_owner
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import moment_text, parse_day
from crmcli.model.kinds import KINDS, PARTY_KINDS
from crmcli.model.money import currency as currency_code
from crmcli.model.money import parse_amount
from crmcli.model.pipeline import TICKET, service_due
from crmcli.model.record import Record
from crmcli.query.search import select


def open_ticket(repo, party: Record, subject: str, *, priority: str = "normal", body: str | None = None,
                category: str | None = None, contact: str | None = None, owner: str | None = None) -> Record:
    if not subject.strip():
        raise InvalidValue(_("a ticket needs a subject"))
    now = repo.clock.now()
    record: dict = {"party": party.ref}
    if contact:  # one of the party's contacts, by name or #N, written as the party spells it
        record["contact"] = party.data["contacts"][find_contact(party, contact)]["name"]
    record["subject"] = subject.strip()
    if body:
        record["body"] = body
    if category:
        record["category"] = category
    record["priority"] = priority
    assign_owner(repo, record, party, owner)
    record["opened"] = moment_text(now)
    record["due"] = moment_text(service_due(now, priority, repo.config.service_levels))
    TICKET.start(record, moment_text(now), repo.config.me)
    kind = KINDS["ticket"]
    with repo.writing(f"ticket: open {record['subject']} for {party.title}") as tx:
        ref = tx.add(kind, record)
    return Record(ref, kind, record)


def update_ticket(repo, ticket: Record, *, status: str | None = None, note: str | None = None,
                  resolution: str | None = None, satisfaction: int | None = None) -> Record:
    """Move a ticket (open, in-progress, resolved, closed) with a note; resolving needs a
    resolution, closing needs it resolved and takes the customer's satisfaction (1–5)."""
    if status == "resolved" and not (resolution or "").strip():
        raise InvalidValue(_("resolving a ticket needs a resolution (--resolution)"))
    with repo.writing(f"ticket: {ticket.id} {status or 'note'}") as tx:
        _update_ticket(repo, tx.fresh(ticket), status, note, resolution, satisfaction)
        tx.update(ticket)
    return ticket


def _update_ticket(repo, ticket: Record, status: str | None, note: str | None, resolution: str | None,
                   satisfaction: int | None) -> None:
    data = ticket.data
    now = moment_text(repo.clock.now())
    if status == "closed":
        if data.get("status") != "resolved" or not data.get("resolution"):
            raise InvalidValue(_("{id} is {status}: resolve it (with a resolution) before closing").format(
                id=ticket.id, status=_(data.get("status"))))
        if satisfaction is not None and not 1 <= satisfaction <= 5:
            raise InvalidValue(_("satisfaction {value} must be from 1 to 5").format(value=satisfaction))
    if status and status != data.get("status"):
        TICKET.move(data, status, now, repo.config.me, note)
    elif note:
        data.setdefault("history", []).append({"at": now, "status": data["status"], "note": note})
    else:
        raise InvalidValue(_("nothing to change: give --status or --note"))
    if status == "resolved":
        data["resolved"] = now
        data["resolution"] = (resolution or "").strip()
    if status == "in-progress" and "resolved" in data:
        del data["resolved"]
    if satisfaction is not None:
        data["satisfaction"] = satisfaction


def add_campaign(repo, name: str, channel: str, *, start: str | None = None, end: str | None = None,
                 budget: str | None = None, currency: str | None = None) -> Record:
    if not name.strip():
        raise InvalidValue(_("a campaign needs a name"))
    record: dict = {"name": name.strip(), "channel": channel}
    for key, text in (("start", start), ("end", end)):
        if text:
            record[key] = parse_day(text, repo.clock).isoformat()
    if budget is not None:
        code = currency_code(currency or repo.config.currency)
        record["budget"] = parse_amount(budget, code)
        record["currency"] = code
    if repo.config.me:
        record["owner"] = repo.config.me
    record["members"] = []
    kind = KINDS["campaign"]
    with repo.writing(f"campaign: add {record['name']}") as tx:
        ref = tx.add(kind, record)
    return Record(ref, kind, record)


def add_members(repo, campaign: Record, query: str) -> tuple[int, int]:
    """Add the customers and suppliers that match `query` to a campaign; returns how many
    were new, and how many matched."""
    parties = select(repo, query, PARTY_KINDS)
    if all(p.ref in (campaign.data.get("members") or []) for p in parties):
        return 0, len(parties)
    with repo.writing(f"campaign: members added to {campaign.data['name']}") as tx:
        members = tx.fresh(campaign).data.setdefault("members", [])
        new = [p.ref for p in parties if p.ref not in members]
        members.extend(sorted(new))
        if new:
            tx.update(campaign)
    return len(new), len(parties)
