"""`crm report segments`: where each customer stands (lead, prospect, new, active, at risk,
lost), with its RFM scores (recency, frequency, monetary), and the customers overdue for
contact by their follow-up cadence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import NC_, _
from crmcli.model.dates import parse_interval
from crmcli.model.money import converter, rounded
from crmcli.model.orders import OWING_STATES
from crmcli.model.pipeline import follow_up_due
from crmcli.model.views import Column, Document, Table
from crmcli.store.questions import Match

SEGMENTS = (NC_("segment", "lead"), NC_("segment", "prospect"), NC_("segment", "new"), NC_("segment", "active"),
            NC_("segment", "at-risk"), NC_("segment", "lost"))
"""Where each customer stands, in the order a customer moves through them (see segment_of);
words of their own in the catalog: a lost customer (已流失) is not a lost deal (输单)."""


def _score(value, ranked: list) -> int:
    """1–5 by quintile of `value` among `ranked` (ascending)."""
    if not ranked:
        return 1
    position = sum(1 for other in ranked if other <= value)
    return max(1, min(5, -(-position * 5 // len(ranked))))


class Thresholds(NamedTuple):
    """When a customer stops being new, becomes at risk, is lost (`segments:` in crm.yaml). A
    named tuple, not a frozen dataclass: the ledger's commands define it at start-up, at a
    fraction of the cost."""

    new_for: str = "90d"
    at_risk_after: str = "90d"
    lost_after: str = "365d"


def segment_of(data: dict, first_order: date | None, last_seen: date, today: date, rules: Thresholds) -> str:
    """A customer's segment, the first rule that applies:

    - `lost`: its lifecycle is `inactive`, or nothing (no order, no interaction) for `lost_after`;
    - `lead`, `prospect`: its lifecycle says so and it has never ordered (a sale makes a customer);
    - `new`: its first order (or, without one, its creation) is within `new_for`;
    - `at-risk`: nothing for `at_risk_after`;
    - `active`: an order or an interaction within `at_risk_after`.

    `last_seen` is the day of its last order or interaction, else the day it was created; so
    a lead, a prospect or a customer added last week is never "lost" (the old RFM rule called
    everyone without an order in a year lost)."""
    lifecycle = data.get("lifecycle")
    quiet = last_seen <= today - parse_interval(rules.lost_after)
    if lifecycle == "inactive":
        return "lost"
    if first_order is None and lifecycle in ("lead", "prospect"):
        return "lost" if quiet else lifecycle
    if (first_order or created_day(data)) > today - parse_interval(rules.new_for):
        return "new"
    if quiet:
        return "lost"
    return "at-risk" if last_seen <= today - parse_interval(rules.at_risk_after) else "active"


def _word(segment: str) -> str:
    """The segment as the interface word of SEGMENTS (translated as a segment)."""
    return SEGMENTS[SEGMENTS.index(segment)]


def created_day(data: dict) -> date:
    return date.fromisoformat(str(data["created"])[:10])


def segments(repo, only: str | None = None) -> Document:
    if only and only not in SEGMENTS:
        raise InvalidValue(_("unknown segment {segment!r} (one of {segments})").format(segment=only,
                                                                                      segments=", ".join(SEGMENTS)))
    today = repo.clock.today()
    rules = Thresholds(**repo.config.segment_thresholds)
    code = repo.config.currency
    convert = converter(code, code, repo.config.rates)
    year_ago = today - timedelta(days=365)
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    count: dict[str, int] = {}
    money: dict[str, Decimal] = {}
    for order in repo.records("order", Match(one_of={"kind": ("sale",)}, until=today.isoformat())):
        data = order.data
        if data.get("status") not in OWING_STATES:
            continue
        day = date.fromisoformat(str(data["date"]))
        party = data["party"]
        first[party] = min(first.get(party, day), day)
        last[party] = max(last.get(party, day), day)
        if day > year_ago:
            count[party] = count.get(party, 0) + 1
            money[party] = money.get(party, Decimal(0)) + convert(data["totals"]["net"], data["currency"])
    contacted = {party: date.fromisoformat(str(moment)[:10]) for party, moment in
                 repo.index.last_contacts(today).items()}
    customers = repo.records("customer")
    recencies = sorted(-(today - day).days for day in last.values())
    frequencies = sorted(count.values())
    amounts = sorted(money.values())
    rows = []
    for customer in customers:
        ref = customer.ref
        recency = (today - last[ref]).days if ref in last else None
        r = _score(-recency, recencies) if recency is not None else 1
        f = _score(count.get(ref, 0), frequencies) if count.get(ref) else 1
        m = _score(money.get(ref, Decimal(0)), amounts) if money.get(ref) else 1
        seen = max(day for day in (last.get(ref), contacted.get(ref), created_day(customer.data)) if day)
        rows.append({"customer": customer.title, "id": customer.id, "recency": recency, "frequency": count.get(ref, 0),
                     "monetary": rounded(money.get(ref, Decimal(0)), code), "rfm": f"{r}{f}{m}",
                     "segment": _word(segment_of(customer.data, first.get(ref), seen, today, rules))})
    summary = [{"segment": name, "customers": sum(1 for row in rows if row["segment"] == name),
                "revenue": sum((row["monetary"] for row in rows if row["segment"] == name), rounded(Decimal(0), code))}
               for name in SEGMENTS]
    chosen = sorted((row for row in rows if not only or row["segment"] == only), key=lambda row: -row["monetary"])
    parts = [Table([Column("segment", "segment", translate=True), Column("customers", "customers", align="right"),
                    Column("revenue", _("revenue (12 months, {currency})").format(currency=code), align="right",
                           style="money")], summary,
                   title="Segments")]
    parts.append(Table([Column("customer", "customer"), Column("id", "id", style="id"),
                        Column("recency", "days since order", align="right"),
                        Column("frequency", "orders (12m)", align="right"),
                        Column("monetary", _("net (12m, {currency})").format(currency=code), align="right",
                               style="money"), Column("rfm", "RFM"),
                        Column("segment", "segment", translate=True)], chosen,
                       title=_("Customers · {segment}").format(segment=_(_word(only))) if only else _("Customers"),
                       empty="no customers in this segment"))
    overdue = _overdue_for_contact(repo, customers, today)
    parts.append(Table([Column("customer", "customer"), Column("last", "last contact", style="date"),
                        Column("every", "cadence"), Column("due", "contact due", style="date"),
                        Column("late", "days late", align="right")], overdue,
                       title="Overdue for contact", empty="nobody is overdue for contact"))
    return Document(parts, title="Segments", payload={"segments": summary, "customers": chosen, "overdue": overdue})


def _overdue_for_contact(repo, customers, today: date) -> list[dict]:
    last = repo.index.last_contacts(repo.clock.today())
    rows = []
    for customer in customers:
        if customer.data.get("lifecycle") == "inactive":
            continue
        cadence = customer.data.get("follow_up_every") or repo.config.follow_up_every
        seen = last.get(customer.ref)
        due = follow_up_due(str(seen) if seen else None, str(customer.data["created"]), cadence, repo.clock)
        if due < today:
            rows.append({"customer": customer.title, "last": str(seen)[:10] if seen else "never", "every": cadence,
                         "due": due.isoformat(), "late": (today - due).days})
    return sorted(rows, key=lambda row: -row["late"])
