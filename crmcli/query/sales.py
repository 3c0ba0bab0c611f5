"""Sales figures that more than one use case relies on, below them all: the sales that count
toward a target (`report targets`, the targets reminder) and customers' loyalty tiers
(`crm show`, the query language's `tier:` term)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.money import converter
from crmcli.model.notices import LEFT_OUT, Notice
from crmcli.model.orders import OWING_STATES, counts_toward_target
from crmcli.model.periods import parse_period
from crmcli.model.pipeline import tier_of
from crmcli.store.questions import Match


def counted_sales(repo, owner: str | None, period: str, code: str) -> list[tuple[str, Decimal]]:
    """(day, net in `code`) of each sale that counts toward targets, of an owner (or everyone),
    in a period up to today, oldest first: an order counts on its date, never before."""
    today = repo.clock.today()
    span = parse_period(period, today)
    convert = converter(code, repo.config.currency, repo.config.rates)
    sales = []
    for order in repo.records("order", Match(since=span.start.isoformat(), until=min(span.end, today).isoformat(),
                                             counted=True)):
        data = order.data
        if (data["kind"] == "sale" and data.get("status") in OWING_STATES and counts_toward_target(data)
                and (owner is None or data.get("owner") == owner)):
            sales.append((str(data["date"]), convert(data["totals"]["net"], data["currency"])))
    return sorted(sales)


def tiers(repo) -> dict[str, str]:
    """Customer reference → loyalty tier, from trailing-12-month net sales in the default currency."""
    today = repo.clock.today()
    start = (today - timedelta(days=364)).isoformat()
    code = repo.config.currency
    convert = converter(code, code, repo.config.rates)
    sales: dict[str, Decimal] = {}
    for order in repo.records("order", Match(since=start, until=today.isoformat())):
        data = order.data
        if data["kind"] == "sale" and data.get("status") in OWING_STATES:
            try:
                amount = convert(data["totals"]["net"], data["currency"])
            except InvalidValue as error:
                notice = Notice(_("{error}; those sales are left out of the tiers").format(error=error),
                                kind=LEFT_OUT)
                if notice not in repo.warnings:
                    repo.warnings.append(notice)
                continue
            sales[data["party"]] = sales.get(data["party"], Decimal(0)) + amount
    thresholds = repo.config.tiers
    return {party.ref: tier_of(sales.get(party.ref, Decimal(0)), thresholds) for party in repo.records("customer")}
