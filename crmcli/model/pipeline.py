"""Rules of the work around customers: the customer lifecycle, deal stages, ticket service
levels and statuses, loyalty tiers. Pure functions over records and settings."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import interval_step, read_day
from crmcli.model.workflow import Workflow

LIFECYCLE = ("lead", "prospect", "customer", "inactive")
CLOSED_STAGES = ("won", "lost")
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET = Workflow("ticket", "open", {
    "open": ("in-progress", "resolved"),
    "in-progress": ("open", "resolved"),
    "resolved": ("in-progress", "closed"),
})
TICKET_STATES = TICKET.states
"""A ticket's statuses in their order: open, in-progress, resolved, closed."""
OPEN_TICKET = TICKET_STATES[:2]
"""Statuses of a ticket still being worked on: its service level runs."""
DURATION = re.compile(r"^([1-9][0-9]*)([hd])$")


def next_lifecycle(current: str | None, step: int, to: str | None = None) -> str:
    """The lifecycle stage one step on (`step` 1) or back (-1) from `current`, or `to`."""
    if to is not None:
        if to not in LIFECYCLE:
            raise InvalidValue(_("unknown lifecycle stage {stage!r} (one of {stages})").format(
                stage=to, stages=", ".join(LIFECYCLE)))
        return to
    position = LIFECYCLE.index(current) if current in LIFECYCLE else LIFECYCLE.index("customer")
    target = position + step
    if not 0 <= target < len(LIFECYCLE):
        message = (_("{stage} is already the last lifecycle stage ({stages})") if step > 0
                   else _("{stage} is already the first lifecycle stage ({stages})"))
        raise InvalidValue(message.format(stage=_(LIFECYCLE[position]), stages=" → ".join(LIFECYCLE)))
    return LIFECYCLE[target]


def check_stage(stage: str, stages: dict[str, int]) -> str:
    if stage not in stages:
        raise InvalidValue(_("unknown stage {stage!r} (stages: {stages})").format(stage=stage,
                                                                                  stages=", ".join(stages)))
    return stage


def check_probability(value) -> int:
    try:
        number = int(str(value).rstrip("%"))
    except ValueError:
        raise InvalidValue(_("probability {value!r} is not a whole number").format(value=value)) from None
    if not 0 <= number <= 100:
        raise InvalidValue(_("probability {value!r} must be between 0 and 100").format(value=value))
    return number


def probability(deal: dict, stages: dict[str, int]) -> int:
    """The deal's own probability, else its stage's."""
    if deal.get("probability") is not None:
        return int(deal["probability"])
    return stages.get(deal.get("stage") or "", 0)


def weighted(deal: dict, stages: dict[str, int]) -> Decimal:
    return Decimal(deal.get("amount") or 0) * probability(deal, stages) / 100


def is_closed_deal(deal: dict) -> bool:
    return deal.get("stage") in CLOSED_STAGES


def service_due(opened: datetime, priority: str, levels: dict[str, str]) -> datetime:
    """When a ticket opened at `opened` must be resolved, from its priority's service level."""
    if priority not in PRIORITIES:
        raise InvalidValue(_("unknown priority {priority!r} (one of {priorities})").format(
            priority=priority, priorities=", ".join(PRIORITIES)))
    match = DURATION.match(str(levels[priority]))
    if not match:
        raise InvalidValue(_("service level {level!r} of {priority}: use hours or days, e.g. 4h or 3d").format(
            level=levels[priority], priority=_(priority)))
    amount = int(match.group(1))
    return opened + (timedelta(hours=amount) if match.group(2) == "h" else timedelta(days=amount))


def breached(ticket: dict, now: datetime) -> bool:
    """Resolved after its due time, or still open past it."""
    if not ticket.get("due"):
        return False
    due = datetime.fromisoformat(str(ticket["due"]))
    done = ticket.get("resolved")
    return (datetime.fromisoformat(str(done)) if done else now) > due


def tier_of(net_sales: Decimal, thresholds: dict) -> str:
    """The highest tier whose threshold the trailing-12-month net sales reach, else standard."""
    reached = [(Decimal(str(value)), name) for name, value in thresholds.items() if net_sales >= Decimal(str(value))]
    return max(reached)[1] if reached else "standard"


def follow_up_due(last_contact: str | None, created: str, cadence: str, clock) -> date:
    """When a party is next due for contact: its cadence after the last contact, or after it
    was created if it was never contacted. The one rule of `crm today`, `crm remind due`,
    `crm show` and `report segments` (show and segments used to leave a never-contacted party
    undated or due today; the agenda's rule won, as cron acts on it)."""
    return follow_up_span(last_contact, created, cadence, clock)[1]


def follow_up_span(last_contact: str | None, created: str, cadence: str, clock) -> tuple[date, date]:
    """The day a party's cadence runs from (its last contact, else its creation) and the day
    it is next due (`follow_up_due`). The cadence is parsed once per distinct text
    (`interval_step`): the agenda asks this of every party."""
    start = read_day(str(last_contact or created), clock)
    return start, interval_step(cadence)(start)
