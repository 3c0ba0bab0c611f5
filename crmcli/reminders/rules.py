"""The rules that raise reminders from the data, one small function each.

Each rule reads what it needs through the index (SQL narrows the records first, so a
large data directory costs little) and returns `Item`s dated when they fall due; the
agenda decides what is overdue, due today or coming up. Rules are named as in
`crm.yaml`'s `reminders:` section, where each can be turned off or given thresholds.
"""

from __future__ import annotations

from contextlib import contextmanager, suppress
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from crmcli.errors import CrmError, InvalidValue
from crmcli.i18n import _
from crmcli.model.contracts import current_term
from crmcli.model.dates import read_day, read_moment, shortest_days
from crmcli.model.money import format_money
from crmcli.model.notices import LEFT_OUT, SKIPPED, Notice
from crmcli.model.periods import parse_period
from crmcli.model.pipeline import CLOSED_STAGES, OPEN_TICKET, follow_up_span
from crmcli.query.sales import counted_sales
from crmcli.reminders.items import Item
from crmcli.store.questions import Match
from crmcli.store.sent import sent_keys

if TYPE_CHECKING:
    from crmcli.store.repo import Repo

DEFAULT_LIFECYCLES = ("lead", "prospect", "customer")
DEFAULT_NOTICE_DAYS = 30
DEFAULT_TARGET_DAY = {"month": 20, "quarter": 60, "year": 240}
DEFAULT_TARGET_BELOW = Decimal("0.5")
REACHED_NEWS_DAYS = 7
OUT_OF_RANGE = (ArithmeticError, ValueError)
"""What date arithmetic on a record raises when it leaves the calendar (`Context.guarded`)."""


class Context:
    """What every rule needs: the data, today, how far ahead to look, and who owns each party.
    A plain class, not a dataclass: the agenda's commands define it at start-up, and a
    dataclass costs about half a millisecond to define."""

    def __init__(self, repo: Repo, today: date, horizon: date):
        self.repo = repo
        self.today = today
        self.horizon = horizon

    def rows(self, kind: str, match: Match | None = None):
        return self.repo.records(kind, match)

    @cached_property
    def owners(self) -> dict[str, str]:
        """Party reference → its owner, read when a rule first needs it."""
        return self.repo.ask.party_owners()

    def owner_of(self, data: dict) -> str | None:
        """The record's own owner, else its party's."""
        return data.get("owner") or self.owners.get(data.get("party") or "")

    @contextmanager
    def guarded(self, path: str):
        """Date arithmetic on one record that leaves the calendar skips that record with a
        warning: the schemas bound every date and interval, this is the second line."""
        try:
            yield
        except OUT_OF_RANGE as error:
            self.skip(path, error)

    def skip(self, path: str, error: Exception) -> None:
        message = _("{path}: out of range ({error}); skipped").format(path=path, error=error)
        self.repo.warnings.append(Notice(message, path, kind=SKIPPED))


def explicit(ctx: Context, settings: dict) -> list[Item]:
    items = []
    for record in ctx.rows("reminder", Match(due_by=ctx.horizon.isoformat())):
        data = record.data
        due = str(data["due"])
        repeat = _(" (every {rule})").format(rule=data["every"]) if data.get("every") else ""
        with ctx.guarded(record.path):
            items.append(Item(read_day(due, ctx.repo.clock), "reminder", f"{data['text']}{repeat}", record.ref,
                              data.get("party"), ctx.owner_of(data),
                              at=read_moment(due, ctx.repo.clock) if "T" in due else None))
    return items


def next_steps(ctx: Context, settings: dict) -> list[Item]:
    items = []
    for step in ctx.repo.ask.dues("next_steps", ctx.horizon.isoformat()):
        with ctx.guarded(f"{step.ref}.yaml"):
            items.append(Item(read_day(step.day, ctx.repo.clock), "next_steps", step.what or "", step.ref, step.party,
                              step.owner))
    return items


def undated_next_steps(repo: Repo, owner: str | None = None) -> list:
    """Open next steps logged without a due date (`crm log … --next X`), up to today, oldest
    first. No rule can date them, so the agenda lists them as "no date" instead of never."""
    today = repo.clock.today().isoformat()
    records = repo.ask.undated_steps(today)
    steps = [r for r in records if isinstance(r.data.get("next"), dict)
             and not r.data["next"].get("done") and not r.data["next"].get("due")]
    if owner is not None:
        owners = repo.ask.party_owners()
        steps = [r for r in steps if (r.data.get("owner") or owners.get(r.data.get("party") or "")) == owner]
    return sorted(steps, key=lambda r: str(r.data.get("at")))


def follow_up(ctx: Context, settings: dict) -> list[Item]:
    """Parties last contacted longer ago than their cadence; a party with a next step or a
    reminder still open is already being followed up. SQL hands over the parties that may be
    due (a bound per cadence, `_latest_starts`) with their latest contact; each distinct
    cadence is parsed once (`follow_up_span`), so the loop does little per party."""
    lifecycles = tuple(settings.get("lifecycles") or DEFAULT_LIFECYCLES)
    default = str(ctx.repo.config.follow_up_every)
    planned = ctx.repo.ask.planned_parties()
    contacted, never = _("no contact since {day} (every {cadence})"), _("never contacted (every {cadence})")
    items = []
    for ref, kind, lifecycle, every, created, owner, since in ctx.repo.ask.follow_ups(
            ctx.today, default, _latest_starts(ctx.repo.ask.cadences() + [default], ctx.horizon)):
        if ref in planned or (kind == "customer" and (lifecycle or "customer") not in lifecycles):
            continue
        every = str(every or default)
        try:  # as `ctx.guarded`, without a context manager's cost for each of thousands of parties
            start, due = follow_up_span(since, str(created), every, ctx.repo.clock)
        except OUT_OF_RANGE as error:
            ctx.skip(f"{ref}.yaml", error)
            continue
        if due > ctx.horizon:
            continue
        reason = (contacted.format(day=start.isoformat(), cadence=every) if since else never.format(cadence=every))
        items.append(Item(due, "follow_up", reason, ref, ref, owner))
    return items


def _latest_starts(cadences: list[str], horizon: date) -> dict[str, str]:
    """Cadence → the last day (ISO) a party's contact may be written on for it to fall due by
    the horizon: SQL leaves the others out before the exact steps are taken. The days a
    stored moment is written on and falls on in our zone differ by two at most (UTC-12 to
    UTC+14); a cadence that cannot be read is not bounded (the rule says why)."""
    latest = {}
    for cadence in cadences:
        with suppress(InvalidValue, OverflowError):
            latest[cadence] = (horizon - timedelta(days=shortest_days(cadence) - 2)).isoformat()
    return latest


def _next_birthday(text: str, today: date) -> tuple[date, int | None]:
    """The next day (today or later) a `YYYY-MM-DD` or `MM-DD` birthday falls on, and the
    age then if the year is known; 29 February is kept on the 28th in common years."""
    parts = [int(p) for p in text.split("-")]
    born_year = parts.pop(0) if len(parts) == 3 else None
    month, day = parts

    def on(year: int) -> date:
        try:
            return date(year, month, day)
        except ValueError:
            return date(year, month, day - 1)

    upcoming = on(today.year)
    if upcoming < today:
        upcoming = on(today.year + 1)
    return upcoming, (upcoming.year - born_year if born_year else None)


def birthdays(ctx: Context, settings: dict) -> list[Item]:
    """Contacts' birthdays; SQL hands over only the name, birthday and owner of each."""
    items = []
    for ref, name, birthday, owner in ctx.repo.ask.birthdays(ctx.today, ctx.horizon):
        day, age = _next_birthday(birthday, ctx.today)
        reason = (_("birthday of {name} (turns {age})") if age else _("birthday of {name}")).format(name=name, age=age)
        items.append(Item(day, "birthdays", reason, ref, ref, owner, notice=True, key=name))
    return items


def renewals(ctx: Context, settings: dict) -> list[Item]:
    """Contracts in force whose end is within their renewal notice: due when notice must be
    given. An auto-renewing one has renewed itself on each end date, so its reminder moves
    to the end of the term in force (it is never overdue for a term already renewed)."""
    fallback = int(settings.get("notice_days", DEFAULT_NOTICE_DAYS))
    items = []
    for contract in ctx.rows("contract", Match(one_of={"status": ("signed", "active")}, present=("end",))):
        data = contract.data
        end = current_term(data, ctx.today)[1] or date.fromisoformat(str(data["end"]))
        notice = int(data.get("renewal_notice_days", fallback))
        how = _("renews by itself") if data.get("auto_renew") else _("renew or let it end")
        with ctx.guarded(contract.path):
            items.append(Item(end - timedelta(days=notice), "renewals",
                              _("{title} ends {day}: {days} days' notice, {how}").format(
                                  title=data["title"], day=end.isoformat(), days=notice, how=how),
                              contract.ref, data.get("party"), ctx.owner_of(data)))
    return items


def _due_by(ctx: Context, kind: str, day_field: str, condition: Match):
    """(record, day) of the records of `kind` meeting `condition` whose `day_field` falls by the horizon."""
    for record in ctx.rows(kind, condition._replace(by=(day_field, ctx.horizon.isoformat()))):
        yield record, date.fromisoformat(str(record.data[day_field]))


def deliveries(ctx: Context, settings: dict) -> list[Item]:
    """Orders approved and not delivered by their delivery day (the index's rows of them:
    their kind in `what`, their status in `more`)."""
    items = []
    to_customer, from_supplier = _("delivery to the customer due"), _("delivery from the supplier due")
    for order in ctx.repo.ask.dues("deliveries", ctx.horizon.isoformat()):
        reason = to_customer if order.what == "sale" else from_supplier
        items.append(Item(date.fromisoformat(order.day), "deliveries", f"{reason} ({_(order.more)})", order.ref,
                          order.party, order.owner))
    return items


def payments(ctx: Context, settings: dict) -> list[Item]:
    """Orders owed on whose payment is due and not paid in full (the index's rows of them:
    their kind in `what`, the balance in `amount`)."""
    items = []
    outstanding, we_owe = _("payment of {amount} outstanding"), _("we owe {amount}")
    for order in ctx.repo.ask.dues("payments", ctx.horizon.isoformat()):
        owed = Decimal(order.amount or 0)
        reason = (outstanding if order.what == "sale" else we_owe).format(amount=format_money(owed, order.currency))
        items.append(Item(date.fromisoformat(order.day), "payments", reason, order.ref, order.party,
                          order.owner, amount=owed, currency=order.currency))
    return items


def deals(ctx: Context, settings: dict) -> list[Item]:
    items = []
    for deal, day in _due_by(ctx, "deal", "close", Match(none_of={"stage": tuple(CLOSED_STAGES)})):
        data = deal.data
        amount = f", {format_money(Decimal(str(data['amount'])), data.get('currency'))}" if data.get("amount") else ""
        items.append(Item(day, "deals",
                          _("{title} expected to close ({stage}{amount})").format(
                              title=data["title"], stage=_(data["stage"]), amount=amount),
                          deal.ref, data.get("party"), ctx.owner_of(data)))
    return items


def tickets(ctx: Context, settings: dict) -> list[Item]:
    items = []
    for ticket in ctx.rows("ticket", Match(one_of={"status": OPEN_TICKET}, present=("due",))):
        data = ticket.data
        due = None
        with ctx.guarded(ticket.path):
            due = read_moment(str(data["due"]), ctx.repo.clock)
        if due is None or due.date() > ctx.horizon:
            continue
        priority = _(data.get("priority", "normal"))
        state = (_("past its service level ({priority})") if due < ctx.repo.clock.now()
                 else _("service level ({priority}) ends")).format(priority=priority)
        items.append(Item(due.date(), "tickets", f"{data['subject']}: {state}",
                          ticket.ref, data.get("party"), ctx.owner_of(data), at=due))
    return items


def _alert_day(settings: dict, period: str, start: date) -> date:
    day = settings.get("day", DEFAULT_TARGET_DAY)
    if isinstance(day, dict):
        length = "year" if len(period) == 4 else "quarter" if "Q" in period else "month"
        day = {**DEFAULT_TARGET_DAY, **day}[length]
    return start + timedelta(days=int(day) - 1)


def target_key(data: dict) -> str:
    """Who and which period a target is for: the news about it goes out once per this."""
    return f"{data.get('owner') or ''}@{data['period']}"


def targets(ctx: Context, settings: dict) -> list[Item]:
    """From the configured day of a target's period to its end, warn an owner below the
    configured share, every day (the digest sends it once: `once` key); announce a target
    reached, naming the day the sales dated by today reached it, until the digest has
    announced it (once, from the local sent-state; an `announced` stamp from older crm counts)."""

    below = Decimal(str(settings.get("below", DEFAULT_TARGET_BELOW)))
    sent = sent_keys(ctx.repo.cache_dir)
    items = []
    for target in ctx.rows("target"):
        data = target.data
        span = parse_period(str(data["period"]), ctx.today)
        if not span.start <= ctx.today <= span.end + timedelta(days=REACHED_NEWS_DAYS):
            continue
        goal = Decimal(str(data["amount"]))
        who = data.get("owner") or _("the business")
        running, reached_on = Decimal(0), None
        try:
            sales = counted_sales(ctx.repo, data.get("owner"), str(data["period"]), data["currency"])
        except CrmError as error:  # a sale in a currency without a rate: the rest of the agenda stands
            ctx.repo.warnings.append(Notice(_("{path}: left out of the agenda: {error}").format(
                path=target.path, error=error), target.path, kind=LEFT_OUT))
            continue
        for day, amount in sales:
            running += amount
            if reached_on is None and goal and running >= goal:
                reached_on = date.fromisoformat(day)
        share = running / goal if goal else Decimal(1)
        attained = _("{done} of {goal}").format(done=format_money(running, data["currency"]),
                                                 goal=format_money(goal, data["currency"]))
        key = target_key(data)
        if _alert_day(settings, str(data["period"]), span.start) <= ctx.today <= span.end and share < below:
            items.append(Item(ctx.today, "targets", _("{who} at {share}% of target {period} ({attained}), below "
                                                      "{below}%").format(who=who, share=f"{share * 100:.0f}",
                                                                         period=data["period"], attained=attained,
                                                                         below=f"{below * 100:.0f}"),
                              target.ref, owner=data.get("owner"), notice=True, once=f"behind:{key}"))
        reached_key = f"reached:{key}"
        if (reached_on and settings.get("announce_reached", True) and not data.get("announced")
                and reached_key not in sent and reached_on >= ctx.today - timedelta(days=REACHED_NEWS_DAYS)):
            items.append(Item(ctx.today, "targets", _("{who} reached target {period} on {day} ({attained})").format(
                who=who, period=data["period"], day=reached_on.isoformat(), attained=attained),
                target.ref, owner=data.get("owner"), notice=True, once=reached_key))
    return items


RULES = {
    "next_steps": next_steps,
    "follow_up": follow_up,
    "birthdays": birthdays,
    "renewals": renewals,
    "deliveries": deliveries,
    "payments": payments,
    "deals": deals,
    "tickets": tickets,
    "targets": targets,
}


def gather(repo, horizon: date, owner: str | None = None) -> list[Item]:
    """Every reminder due on or before `horizon` (overdue ones included, lapsed news not),
    of the rules `crm.yaml` leaves on, sorted by day and time."""
    today = repo.clock.today()
    ctx = Context(repo, today, horizon)
    items = explicit(ctx, {})
    for name, rule in RULES.items():
        settings = repo.config.rule(name)
        if settings is not None:
            items += rule(ctx, settings)
    items = [item for item in items if item.due <= horizon and not (item.notice and item.due < today)
             and (owner is None or item.owner == owner)]
    return sorted(items, key=lambda item: (item.due, item.at is None, item.at or item.due, item.rule, item.ref))
