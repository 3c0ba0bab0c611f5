"""Lists and views of deals, targets, tickets and campaigns, and customers' loyalty tiers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.money import converter, format_money, rounded
from crmcli.model.orders import OWING_STATES
from crmcli.model.periods import parse_period
from crmcli.model.pipeline import breached, is_closed_deal, probability, tier_of, weighted
from crmcli.model.record import Record
from crmcli.model.views import KEEP, LOW, Column, Document, Fields, Table
from crmcli.reports.common import when
from crmcli.reports.orders import history_table

DEAL_COLUMNS = [
    Column("close", "close", style="date"), Column("id", "id", style="id"), Column("title", "title", priority=KEEP),
    Column("party_name", "party", priority=KEEP), Column("owner", "owner", priority=LOW),
    Column("stage", "stage", translate=True),
    Column("probability", "prob", align="right"), Column("amount", "amount", align="right", style="money"),
    Column("currency", "cur"), Column("weighted", "weighted", align="right", style="money"),
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
                     "_style": "red" if late and record.data.get("status") not in ("resolved", "closed") else None})
    return Table(TICKET_COLUMNS, rows, title=title, records=[r.data for r in records], empty="no tickets match")


def ticket_view(repo, ticket: Record) -> Document:
    data = ticket.data
    facts = _facts(data)
    facts.append((N_("service level"), _("breached") if breached(data, repo.clock.now()) else _("kept so far")))
    return Document([Fields(facts, title=data["subject"]), history_table(repo, data)], payload=data)


def counted_sales(repo, owner: str | None, period: str, code: str) -> list[tuple[str, Decimal]]:
    """(day, net in `code`) of each sale that counts toward targets, of an owner (or everyone),
    in a period, oldest first."""
    span = parse_period(period, repo.clock.today())
    convert = converter(code, repo.config.currency, repo.config.rates)
    sales = []
    for order in repo.records("order", "f.day BETWEEN ? AND ?", (span.start.isoformat(), span.end.isoformat())):
        data = order.data
        if (data["kind"] == "sale" and data.get("status") in OWING_STATES and data.get("counts_toward_target", True)
                and (owner is None or data.get("owner") == owner)):
            sales.append((str(data["date"]), convert(data["totals"]["net"], data["currency"])))
    return sorted(sales)


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


def campaign_view(repo, campaign: Record) -> Document:
    """Members, responses (interactions logged with the campaign), response rate, deals it
    brought and the revenue they won, cost per response."""
    data = campaign.data
    responses = repo.records("interaction", "json_extract(f.data, '$.campaign') = ?", (campaign.ref,))
    responders = {r.data["party"] for r in responses}
    deals = [d for d in repo.records("deal") if d.data.get("source") in (campaign.ref, campaign.id)]
    won = [d for d in deals if d.data.get("stage") == "won"]
    members = data.get("members") or []
    code = data.get("currency") or repo.config.currency
    convert = converter(code, repo.config.currency, repo.config.rates)
    revenue = rounded(sum((convert(d.data.get("amount") or 0, d.data.get("currency", code)) for d in won), Decimal(0)),
                      code)
    rate = Decimal(len(responders)) / len(members) if members else Decimal(0)
    facts = [(N_("name"), data["name"]), (N_("channel"), _(data["channel"])),
             (N_("runs"), f"{data.get('start', '?')} – {data.get('end', '?')}"),
             (N_("budget"), format_money(data["budget"], code) if data.get("budget") is not None else None),
             (N_("members"), len(members)),
             (N_("responses"), _("{responses} from {parties} parties").format(responses=len(responses),
                                                                              parties=len(responders))),
             (N_("response rate"), f"{rate * 100:.1f}%"), (N_("deals"), len(deals)), (N_("won"), len(won)),
             (N_("won revenue"), format_money(revenue, code)),
             (N_("cost per response"), format_money(rounded(Decimal(data["budget"]) / len(responders), code), code)
              if data.get("budget") is not None and responders else None)]
    payload = {**data, "responses": len(responses), "responders": sorted(responders), "response_rate": rate,
               "deals": [d.id for d in deals], "won_revenue": revenue}
    return Document([Fields([(k, v) for k, v in facts if v is not None], title=data["name"]),
                     deal_list(repo, deals, title=N_("Deals from this campaign"))], payload=payload)


def tiers(repo) -> dict[str, str]:
    """Customer reference → loyalty tier, from trailing-12-month net sales in the default currency."""
    today = repo.clock.today()
    start = (today - timedelta(days=365)).isoformat()
    code = repo.config.currency
    convert = converter(code, code, repo.config.rates)
    sales: dict[str, Decimal] = {}
    for order in repo.records("order", "f.day > ? AND f.day <= ?", (start, today.isoformat())):
        data = order.data
        if data["kind"] == "sale" and data.get("status") in OWING_STATES:
            try:
                amount = convert(data["totals"]["net"], data["currency"])
            except InvalidValue as error:
                if str(error) not in repo.warnings:
                    repo.warnings.append(_("{error}; those sales are left out of the tiers").format(error=error))
                continue
            sales[data["party"]] = sales.get(data["party"], Decimal(0)) + amount
    thresholds = repo.config.tiers
    return {party.ref: tier_of(sales.get(party.ref, Decimal(0)), thresholds) for party in repo.records("customer")}
