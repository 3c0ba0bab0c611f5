"""`crm report …`: receivables and payables with aging, the pipeline, targets, suppliers
and service. Each returns a Document for the one renderer; every sum is Decimal."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crmcli.i18n import N_, _, quarter_text
from crmcli.model.locked import LOCK
from crmcli.model.money import converter, rounded
from crmcli.model.orders import OPEN_STATES, OWING_STATES, days_late, judged_deliveries, outstanding
from crmcli.model.periods import parse_period
from crmcli.model.pipeline import TICKET_STATES, breached, weighted
from crmcli.model.views import KEEP, LOW, NORMAL, Column, Document, Table
from crmcli.store.questions import Match

BUCKETS = (
    (N_("current"), None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), (N_("over 90"), 91, None))
CREDIT = N_("credit")
COLUMNS = (*(name for name, *_rest in BUCKETS), CREDIT)
"""The ageing buckets, then the party's credit (below zero), which the total takes off."""
BUCKET_PRIORITY = {"current": LOW, "1-30": LOW, "31-60": NORMAL, "61-90": NORMAL}
"""On a narrow terminal the money long overdue stays in view with the total; the rest can go."""


def _money(key: str, header: str | None = None, priority: int | None = None) -> Column:
    return Column(key, header or key, align="right", style="money", priority=priority)


def _bucket(days_late: int) -> str:
    for name, low, high in BUCKETS:
        if (low is None or days_late >= low) and (high is None or days_late <= high):
            return name
    return BUCKETS[-1][0]


def aging(repo, payables: bool = False) -> Document:
    """What each party owes us (or we owe), by how many days past due, per currency; what a
    party has paid beyond its orders (an overpayment, a cancelled order kept as credit) is its
    credit, taken off its total as in `crm show`, the ledger and the Beancount export."""
    today = repo.clock.today()
    names = repo.index.party_names()
    direction = "purchase" if payables else "sale"
    tables: dict[str, dict[str, dict]] = defaultdict(dict)
    for party, code, pay_by, due in _balances(repo, direction):
        bucket = _bucket((today - date.fromisoformat(pay_by)).days) if due == LOCK or due > 0 else CREDIT
        row = tables[code].setdefault(party, {"party": names.get(party, party),
                                              **{name: Decimal(0) for name in COLUMNS}})
        row[bucket] = LOCK if LOCK in (due, row[bucket]) else row[bucket] + due
    parts, payload = [], {}
    for code in sorted(tables):
        rows = sorted(tables[code].values(), key=lambda r: -_known(r[name] for name in COLUMNS))
        for row in rows:
            for name in COLUMNS:
                row[name] = row[name] if row[name] == LOCK else rounded(row[name], code)
            row["total"] = _sum(row[name] for name in COLUMNS)
            row["_style"] = "red" if row["over 90"] or row["61-90"] else None
        total = {"party": "total", **{key: _sum(r[key] for r in rows) for key in [*COLUMNS, "total"]}}
        credits = any(row[CREDIT] for row in rows)
        columns = ([Column("party", "party")]
                   + [_money(name, priority=BUCKET_PRIORITY.get(name)) for name in COLUMNS if credits or name != CREDIT]
                   + [_money(N_("total"))])
        title = (_("Payables · {currency} · as of {day}") if payables
                 else _("Receivables · {currency} · as of {day}")).format(currency=code, day=today.isoformat())
        parts.append(Table(columns, rows + [{**total, "party": _("total"), "_style": "bold"}], title=title))
        payload[code] = {"rows": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], "total": total}
    if not parts:
        parts.append(Table([Column("party", "party")], [], title="Nothing outstanding", empty="nothing outstanding"))
    return Document(parts, title="Aging", payload=payload)


def _balances(repo, direction: str):
    """(party, currency, pay-by day, outstanding) of each order of `direction` with something
    owed or in credit: the outstanding is LOCK when a protected payment hides what was paid.
    Read from the index's order facts (no order decoded) unless it cannot add them exactly."""
    match = Match(kinds=("order",), one_of={"kind": (direction,)})
    rows = repo.ask.balances(match)
    if rows is None:
        for order in repo.records("order", match):
            data = order.data
            due = outstanding(data)
            if due:
                yield data["party"], data["currency"], str(data.get("payment_due") or data["date"])[:10], due
        return
    for row in rows:
        places = -(len(str(row["scale"])) - 1)
        yield row["party"], row["currency"], row["pay_by"], \
            LOCK if row["paid"] is None else Decimal(row["owed"] - row["paid"]).scaleb(places)


def _known(amounts) -> Decimal:
    """The sum of the amounts that are known (a row's place in the list)."""
    return sum((amount for amount in amounts if amount != LOCK), Decimal(0))


def _sum(amounts):
    """The sum of amounts, or LOCK when one of them is unknown (never a wrong number)."""
    amounts = list(amounts)
    return LOCK if LOCK in amounts else sum(amounts)


def _days_in_stages(deal: dict, today: date) -> dict[str, float]:
    history = deal.get("history") or []
    days: dict[str, float] = {}
    for entry, following in zip(history, history[1:] + [None], strict=True):
        start = datetime.fromisoformat(str(entry["at"]))
        end = datetime.fromisoformat(str(following["at"])) if following else None
        if end is None and entry["status"] in ("won", "lost"):
            continue
        span = ((end.date() if end else today) - start.date()).days
        days[entry["status"]] = days.get(entry["status"], 0) + span
    return days


def pipeline(repo, period: str | None = None) -> Document:
    """Deals per stage (count, amount, weighted), conversion from stage to stage, average
    days spent in each stage, and the deals won and lost in the period with the reasons."""
    stages = repo.config.stages
    today = repo.clock.today()
    span = parse_period(period, today) if period else None
    deals = [d.data for d in repo.records("deal")]
    code = repo.config.currency

    convert = converter(code, code, repo.config.rates)
    names = list(stages)
    reached: dict[str, int] = defaultdict(int)
    went_on: dict[str, int] = defaultdict(int)
    spent: dict[str, list[float]] = defaultdict(list)
    for deal in deals:
        seen = {entry["status"] for entry in deal.get("history") or []} | {deal["stage"]}
        furthest = max((names.index(s) for s in seen if s in names and s != "lost"), default=-1)
        for stage in seen:
            reached[stage] += 1
            if stage in names and names.index(stage) < furthest:
                went_on[stage] += 1
        for stage, days in _days_in_stages(deal, today).items():
            spent[stage].append(days)
    rows = []
    for stage in names:
        current = [d for d in deals if d["stage"] == stage]
        amount = sum((convert(d.get("amount") or 0, d.get("currency", code)) for d in current), Decimal(0))
        weight = sum((convert(weighted(d, stages), d.get("currency", code)) for d in current), Decimal(0))
        open_stage = stage not in ("won", "lost")
        conversion = f"{went_on[stage] * 100 // reached[stage]}%" if reached[stage] and open_stage else ""
        average = f"{sum(spent[stage]) / len(spent[stage]):.0f}" if spent[stage] and open_stage else ""
        rows.append({"stage": stage, "probability": f"{stages[stage]}%", "deals": len(current),
                     "amount": rounded(amount, code), "weighted": rounded(weight, code),
                     "to_next": conversion, "days": average})
    stage_table = Table([Column("stage", "stage", translate=True), Column("probability", "prob", align="right"),
                         Column("deals", "deals", align="right"), _money(N_("amount")), _money(N_("weighted")),
                         Column("to_next", "went further", align="right"), Column("days", "avg days", align="right")],
                        rows, title=_("Pipeline · {currency}").format(currency=code))
    closed = [d for d in deals if d["stage"] in ("won", "lost") and d.get("close")
              and (span is None or date.fromisoformat(str(d["close"])) in span)]
    closed.sort(key=lambda d: str(d["close"]))
    closed_table = Table([Column("close", "closed", style="date"), Column("id", "id", style="id"),
                          Column("title", "title", priority=KEEP), Column("stage", "result", translate=True),
                          _money(N_("amount")),
                          Column("currency", "cur"), Column("lost_reason", "reason", priority=KEEP)],
                         [{**d, "_style": "red" if d["stage"] == "lost" else "green"} for d in closed],
                         title=_("Won and lost · {period}").format(period=quarter_text(span.label) if span
                                                                   else _("all time")),
                         empty="none closed")
    return Document([stage_table, closed_table], title="Pipeline",
                    payload={"stages": rows, "closed": closed, "currency": code})


def suppliers(repo) -> Document:
    """Spend, purchase orders, on-time delivery, average delay, quality rating, open POs."""
    names = repo.index.party_names()
    by_party: dict[str, list[dict]] = defaultdict(list)
    for order in repo.records("order", Match(one_of={"kind": ("purchase",)})):
        by_party[order.data["party"]].append(order.data)
    ratings: dict[str, list[int]] = defaultdict(list)
    for interaction in repo.records("interaction", Match(present=("rating",))):
        ratings[interaction.data["party"]].append(int(interaction.data["rating"]))
    rows = []
    today = repo.clock.today()
    customers_supplying = Match(holds=("roles", "supplier"))
    also = repo.records("customer", customers_supplying)
    for supplier in repo.records("supplier") + also:
        orders = by_party.get(supplier.ref, [])
        counted = [o for o in orders if o.get("status") in OWING_STATES]
        spend: defaultdict[str, Decimal] = defaultdict(Decimal)
        for order in counted:
            spend[order["currency"]] += Decimal(order["totals"]["gross"])
        judged = judged_deliveries(counted, today)
        punctual = sum(1 for _order, flag in judged if flag)
        late = [days_late(order, today) for order, _flag in judged]
        scores = ratings.get(supplier.ref, [])
        rows.append({"supplier": names.get(supplier.ref, supplier.id), "orders": len(counted),
                     "spend": ", ".join(f"{amount:,.2f} {code}" for code, amount in sorted(spend.items())),
                     "on_time": f"{punctual * 100 // len(judged)}%" if judged else "",
                     "delay": f"{sum(late) / len(late):.1f}" if late else "",
                     "rating": f"{sum(scores) / len(scores):.1f}" if scores else "",
                     "open": sum(1 for o in orders if o.get("status") in OPEN_STATES)})
    rows.sort(key=lambda r: -r["orders"])
    columns = [Column("supplier", "supplier"), Column("orders", "POs", align="right"),
               Column("spend", "spend", align="right", style="money"), Column("on_time", "on time", align="right"),
               Column("delay", "avg delay (days)", align="right"),
               Column("rating", "quality", align="right"), Column("open", "open POs", align="right")]
    return Document([Table(columns, rows, title="Supplier scorecard")], payload={"suppliers": rows})


def service(repo) -> Document:
    """Tickets by status and priority, breaches, average time to resolve, satisfaction."""
    tickets = [t.data for t in repo.records("ticket")]
    now = repo.clock.now()
    priorities = ("urgent", "high", "normal", "low")
    statuses = TICKET_STATES
    rows: list[dict[str, Any]] = []
    for priority in priorities:
        mine = [t for t in tickets if t.get("priority") == priority]
        hours = [(datetime.fromisoformat(str(t["resolved"])) - datetime.fromisoformat(str(t["opened"])))
                 .total_seconds() / 3600 for t in mine if t.get("resolved")]
        scores = [t["satisfaction"] for t in mine if t.get("satisfaction")]
        rows.append({"priority": priority, **{s: sum(1 for t in mine if t.get("status") == s) for s in statuses},
                     "breached": sum(1 for t in mine if breached(t, now)),
                     "resolve_hours": f"{sum(hours) / len(hours):.1f}" if hours else "",
                     "satisfaction": f"{sum(scores) / len(scores):.1f}" if scores else ""})
    all_scores = [t["satisfaction"] for t in tickets if t.get("satisfaction")]
    total = {"priority": "total", **{s: sum(r[s] for r in rows) for s in statuses + ("breached",)},
             "satisfaction": f"{sum(all_scores) / len(all_scores):.1f}" if all_scores else "", "_style": "bold"}
    columns = [Column("priority", "priority", translate=True)] + [Column(s, s, align="right") for s in statuses] + [
        Column("breached", "SLA breached", align="right"),
        Column("resolve_hours", "avg hours to resolve", align="right"),
        Column("satisfaction", "satisfaction", align="right")]
    return Document([Table(columns, rows + [total], title="Service")],
                    payload={"priorities": rows, "total": {k: v for k, v in total.items() if not k.startswith("_")}})
