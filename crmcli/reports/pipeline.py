"""Lists and views of deals, targets, tickets and campaigns, and customers' loyalty tiers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crmcli.i18n import N_, _
from crmcli.model.money import converter, format_money, rounded
from crmcli.model.orders import OWING_STATES
from crmcli.model.periods import parse_period
from crmcli.model.pipeline import OPEN_TICKET, breached, is_closed_deal, probability, weighted
from crmcli.model.record import Record
from crmcli.model.views import KEEP, LOW, Column, Document, Fields, Table
from crmcli.query.sales import counted_sales
from crmcli.reports.common import when
from crmcli.reports.orders import history_table
from crmcli.store.questions import Match

DEAL_COLUMNS = [
    Column("close", "close", style="date"), Column("id", "id", style="id"),
    Column("title", "title", priority=KEEP),
    Column("party_name", "party", priority=KEEP), Column("owner", "owner", priority=LOW),
    Column("stage", "stage", translate=True),
    Column("probability", "prob", align="right", priority=LOW),
    Column("amount", "amount", align="right", style="money"), Column("currency", "cur"),
    Column("weighted", "weighted", align="right", style="money", priority=LOW),  # amount × prob: report pipeline
]
TICKET_COLUMNS = [
    Column("opened", "opened", style="date"), Column("id", "id", style="id"),
    Column("subject", "subject", priority=KEEP),
    Column("party_name", "party", priority=KEEP), Column("priority", "priority", translate=True),
    Column("status", "status", translate=True),
    Column("due", "due", style="date"), Column("breach", "SLA"),
]
TARGET_COLUMNS = [
    Column("owner", "owner"), Column("period", "period"), Column("amount", "target", align="right", style="money"),
    Column("attained", "attained", align="right", style="money"), Column("percent", "%", align="right"),
    Column("pace", "pace", align="right", priority=LOW), Column("currency", "cur"),
]
INTERFACE_WORDS = ("stage", "status", "priority", "channel")
"""Fields whose values are interface words, shown in the run's language."""


def _facts(data: dict) -> list[tuple[str, object]]:
    """A record's fields as label/value pairs for its view (not its history)."""
    return [(key, _(value) if key in INTERFACE_WORDS else value) for key, value in data.items()
            if key != "history" and value not in (None, "", [])]


def deal_list(repo, records: list[Record], title: str | None = None) -> Table:
    stages = repo.config.stages
    names = repo.index.party_names()
    records = sorted(records, key=lambda r: (is_closed_deal(r.data), str(r.data.get("close") or "9999"), r.id))
    rows = [{**r.data, "party_name": names.get(r.data["party"], r.data["party"]),
             "probability": f"{probability(r.data, stages)}%",
             "weighted": (rounded(weighted(r.data, stages), r.data["currency"])
                          if r.data.get("amount") is not None else None),
             "_style": "dim" if is_closed_deal(r.data) else None} for r in records]
    return Table(DEAL_COLUMNS, rows, title=title, records=[r.data for r in records], empty="no deals match")


def deal_view(repo, deal: Record) -> Document:
    data = deal.data
    facts = _facts(data)
    facts.append((N_("win probability"), f"{probability(data, repo.config.stages)}%"))
    return Document([Fields(facts, title=data["title"]), history_table(repo, data)], payload=data)


def ticket_list(repo, records: list[Record], title: str | None = None) -> Table:
    names = repo.index.party_names()
    now = repo.clock.now()
    records = sorted(records, key=lambda r: (r.data.get("status") == "closed", str(r.data.get("due")), r.id))
    rows = []
    for record in records:
        late = breached(record.data, now)
        rows.append({**record.data, "party_name": names.get(record.data["party"], record.data["party"]),
                     "opened": when(record.data.get("opened"), repo.clock),
                     "due": when(record.data.get("due"), repo.clock), "breach": _("breached") if late else "",
                     "_style": "red" if late and record.data.get("status") in OPEN_TICKET else None})
    return Table(TICKET_COLUMNS, rows, title=title, records=[r.data for r in records], empty="no tickets match")


def ticket_view(repo, ticket: Record) -> Document:
    data = ticket.data
    facts = _facts(data)
    facts.append((N_("service level"), _("breached") if breached(data, repo.clock.now()) else _("kept so far")))
    return Document([Fields(facts, title=data["subject"]), history_table(repo, data)], payload=data)


def attainment(repo, owner: str | None, period: str, code: str) -> Decimal:
    """Net sales that count toward targets, of an owner (or everyone), in a period, in `code`."""
    return rounded(sum((amount for _, amount in counted_sales(repo, owner, period, code)), Decimal(0)), code)


def _pace(period: str, today: date) -> Decimal:
    """The share of the period gone by today (0–1), for where attainment should be."""
    span = parse_period(period, today)
    if today < span.start:
        return Decimal(0)
    if today >= span.end:
        return Decimal(1)
    return Decimal((today - span.start).days + 1) / Decimal((span.end - span.start).days + 1)


def target_list(repo, records: list[Record]) -> Table:
    rows = []
    today = repo.clock.today()
    for record in sorted(records, key=lambda r: (r.data["period"], r.data.get("owner", ""))):
        data = record.data
        attained = attainment(repo, data.get("owner"), data["period"], data["currency"])
        share = attained / Decimal(data["amount"]) if data["amount"] else Decimal(0)
        pace = _pace(data["period"], today)
        rows.append({**data, "owner": data.get("owner", _("(business)")), "attained": attained,
                     "percent": f"{share * 100:.0f}%", "pace": f"{pace * 100:.0f}%",
                     "_style": "red" if share < pace else "green"})
    return Table(TARGET_COLUMNS, rows, records=[{**r, "attained": r["attained"]} for r in rows],
                 empty="no targets; set one with crm target set OWNER PERIOD AMOUNT")


def campaign_list(repo, records: list[Record]) -> Table:
    columns = [Column("id", "id", style="id"), Column("name", "name"), Column("channel", "channel", translate=True),
               Column("start", "start", style="date"), Column("end", "end", style="date"),
               Column("budget", "budget", align="right", style="money"), Column("currency", "cur"),
               Column("members", "members", align="right")]
    rows = [{**r.data, "members": len(r.data.get("members") or [])} for r in records]
    return Table(columns, rows, records=[r.data for r in records], empty="no campaigns")


def campaign_customers(repo, campaign: Record, responses: list[Record], deals: list[Record]) -> set[str]:
    """The parties a campaign is credited with: those who responded to it (an interaction
    logged with it), those of deals it was the source of, and those of orders that name it."""
    orders = repo.records("order", Match(one_of={"campaign": (campaign.ref, campaign.id)}))
    return {r.data["party"] for r in [*responses, *deals, *orders] if r.data.get("party")}


def campaign_revenue(repo, campaign: Record, customers: set[str], code: str) -> Decimal:
    """Net sales (in `code`) to the campaign's customers dated within its window, from its
    start (else the day it was added) to its end (else today), never past today: what it
    brought in orders, whatever the deals say (the deals are shown on their own)."""
    data = campaign.data
    today = repo.clock.today()
    start = str(data.get("start") or str(data["created"])[:10])
    end = min(str(data.get("end") or today.isoformat()), today.isoformat())
    convert = converter(code, repo.config.currency, repo.config.rates)
    sales = repo.records("order", Match(one_of={"kind": ("sale",)}, since=start, until=end))
    return rounded(sum((convert(o.data["totals"]["net"], o.data["currency"]) for o in sales
                        if o.data["party"] in customers and o.data.get("status") in OWING_STATES), Decimal(0)), code)


def campaign_view(repo, campaign: Record) -> Document:
    """Members, responses (interactions logged with the campaign), response rate, the customers
    it is credited with and their orders within its window (its revenue), the deals it brought
    and what they won, cost per response."""
    data = campaign.data
    responses = repo.records("interaction", Match(one_of={"campaign": (campaign.ref,)}))
    responders = {r.data["party"] for r in responses}
    deals = [d for d in repo.records("deal") if d.data.get("source") in (campaign.ref, campaign.id)]
    won = [d for d in deals if d.data.get("stage") == "won"]
    members = data.get("members") or []
    code = data.get("currency") or repo.config.currency
    convert = converter(code, repo.config.currency, repo.config.rates)
    won_revenue = rounded(sum((convert(d.data.get("amount") or 0, d.data.get("currency", code)) for d in won),
                              Decimal(0)), code)
    customers = campaign_customers(repo, campaign, responses, deals)
    revenue = campaign_revenue(repo, campaign, customers, code)
    rate = Decimal(len(responders)) / len(members) if members else Decimal(0)
    facts = [(N_("name"), data["name"]), (N_("channel"), _(data["channel"])),
             (N_("runs"), f"{data.get('start', '?')} – {data.get('end', '?')}"),
             (N_("budget"), format_money(data["budget"], code) if data.get("budget") is not None else None),
             (N_("members"), len(members)),
             (N_("responses"), _("{responses} from {parties} parties").format(responses=len(responses),
                                                                              parties=len(responders))),
             (N_("response rate"), f"{rate * 100:.1f}%"),
             (N_("customers"), len(customers)),
             (N_("revenue"), _("{amount} (their orders within the campaign's dates)").format(
                 amount=format_money(revenue, code))),
             (N_("deals"), len(deals)), (N_("won"), len(won)),
             (N_("won revenue"), format_money(won_revenue, code)),
             (N_("cost per response"), format_money(rounded(Decimal(data["budget"]) / len(responders), code), code)
              if data.get("budget") is not None and responders else None)]
    payload = {**data, "responses": len(responses), "responders": sorted(responders), "response_rate": rate,
               "customers": sorted(customers), "revenue": revenue,
               "deals": [d.id for d in deals], "won_revenue": won_revenue}
    return Document([Fields([(k, v) for k, v in facts if v is not None], title=data["name"]),
                     deal_list(repo, deals, title=N_("Deals from this campaign"))], payload=payload)
