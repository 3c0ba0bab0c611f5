"""Sales figures that more than one use case relies on, below them all: the sales that count
toward a target (`report targets`, the targets reminder), members' loyalty points (`crm points`,
redemptions) and customers' loyalty tiers (`crm show`, the query language's `tier:` term)."""

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
from crmcli.model.points import EARNED, PointEntry, history, order_entries, redemption_entries
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


def member_points(repo, party) -> list[PointEntry]:
    """A member's points history up to today, oldest first (model/points.py states the rule);
    empty for a party that is not a member."""
    membership = party.data.get("membership")
    if not isinstance(membership, dict):
        return []
    orders = repo.records("order", Match(party=party.ref, one_of={"kind": ("sale",)}))
    entries = _earned(repo, [o.data for o in orders]) + redemption_entries(membership)
    return history(entries, str(membership.get("since") or "") or None, repo.clock.today().isoformat())


def _earned(repo, orders: list[dict]) -> list[PointEntry]:
    """What `orders` earned and gave back in points; an order in a currency without a rate is
    left out with a warning, as the tiers leave it out of revenue."""
    settings = repo.config.membership
    code = repo.config.currency
    convert = converter(code, code, repo.config.rates)
    entries: list[PointEntry] = []
    for order in orders:
        try:
            entries += order_entries(order, settings.points_per_unit, convert)
        except InvalidValue as error:
            _left_out(repo, error)
    return entries


def _left_out(repo, error: InvalidValue) -> None:
    notice = Notice(_("{error}; those sales are left out of the tiers").format(error=error), kind=LEFT_OUT)
    if notice not in repo.warnings:
        repo.warnings.append(notice)


def tiers(repo, party=None) -> dict[str, str]:
    """Customer reference → loyalty tier, from trailing-12-month net sales in the default
    currency, or (`membership: {tiers_from: points}`) from the points a member earned in those
    12 months (redeeming points never lowers a tier; a party that is not a member is standard).
    Given a `party`, of that party alone (if a customer): its own orders are read, not all."""
    today = repo.clock.today()
    start = (today - timedelta(days=364)).isoformat()
    thresholds = repo.config.tiers
    if party is None:
        customers = repo.records("customer")
    else:
        customers = [party] if party.kind.name == "customer" else []
    whose = Match() if party is None else Match(party=party.ref)
    if repo.config.membership.tiers_from == "points":
        earned: dict[str, list[dict]] = {}
        for order in repo.records("order", whose._replace(one_of={"kind": ("sale",)})):
            earned.setdefault(order.data["party"], []).append(order.data)
        scores = {}
        for party in customers:
            membership = party.data.get("membership")
            if isinstance(membership, dict):
                since = max(start, str(membership.get("since") or start))
                scores[party.ref] = Decimal(sum(e.points for e in history(
                    _earned(repo, earned.get(party.ref, [])), since, today.isoformat()) if e.what == EARNED))
        return {party.ref: tier_of(scores[party.ref], thresholds) if party.ref in scores else "standard"
                for party in customers}
    code = repo.config.currency
    convert = converter(code, code, repo.config.rates)
    sales: dict[str, Decimal] = {}
    for order in repo.records("order", whose._replace(since=start, until=today.isoformat())):
        data = order.data
        if data["kind"] == "sale" and data.get("status") in OWING_STATES:
            try:
                amount = convert(data["totals"]["net"], data["currency"])
            except InvalidValue as error:
                _left_out(repo, error)
                continue
            sales[data["party"]] = sales.get(data["party"], Decimal(0)) + amount
    return {party.ref: tier_of(sales.get(party.ref, Decimal(0)), thresholds) for party in customers}
