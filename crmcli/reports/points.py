"""`crm points PARTY`: a member's number, tier and points balance, and the history behind it
(earned on completed orders, taken back by refunds, redeemed), with the running balance."""

from __future__ import annotations

from crmcli.i18n import N_, _
from crmcli.model.points import balance
from crmcli.model.record import Record
from crmcli.model.views import Column, Document, Fields, Table
from crmcli.query.sales import member_points, tiers


def points_view(repo, party: Record) -> Document:
    membership = party.data.get("membership")
    if not isinstance(membership, dict):
        absent = _("not a member: make it one with crm points {id} join").format(id=party.id)
        return Document([Fields([(N_("member"), absent)], title=party.title)],
                        payload={"party": party.ref, "member": False})
    entries = member_points(repo, party)
    settings = repo.config.membership
    rows, running = [], 0
    for entry in entries:
        running += entry.points
        rows.append({"day": entry.day, "what": entry.what, "source": entry.source, "points": entry.points,
                     "balance": running})
    facts: list[tuple[str, object]] = [
        (N_("member number"), membership["number"]), (N_("member since"), membership["since"]),
        (N_("tier"), _(tiers(repo, party).get(party.ref) or "standard") if party.kind.name == "customer" else None),
        (N_("points"), balance(entries)),
        (N_("earning"), _("{points} point(s) per {currency} paid on completed orders, less refunds, rounded down per "
                          "order").format(points=settings.points_per_unit, currency=repo.config.currency))]
    table = Table([Column("day", "day", style="date"), Column("what", "what", translate=True),
                   Column("source", "order or note"), Column("points", "points", align="right"),
                   Column("balance", "balance", align="right")], rows, title="Points history",
                  empty="no points yet")
    payload = {"party": party.ref, "member": True, "number": membership["number"], "since": membership["since"],
               "balance": balance(entries), "history": rows}
    return Document([Fields([(k, v) for k, v in facts if v is not None], title=party.title), table],
                    title="Points", payload=payload)
