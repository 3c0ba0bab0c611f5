"""Loyalty membership: making a party a member (with a member number) and redeeming its
points. Both are written into the party's file (`membership:`), so they are data in git like
everything else; the points a member earned are not stored, they follow from its orders."""

from __future__ import annotations

import re

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import moment_text, parse_day
from crmcli.model.kinds import PARTY_KINDS
from crmcli.model.points import balance, parse_points
from crmcli.model.record import Record
from crmcli.query.sales import member_points


def join(repo, party: Record, number: str | None = None, since: str | None = None) -> Record:
    """Make `party` a member from `since` (as typed; default today: orders completed from then
    on earn points), with `number` or the next free one (crm.yaml's membership.number_prefix and
    six digits: M000001). A number held by another party is refused."""
    day = (parse_day(since, repo.clock) if since else repo.clock.today()).isoformat()
    if isinstance(party.data.get("membership"), dict):
        raise InvalidValue(_("{id} is a member already (number {number})").format(
            id=party.id, number=party.data["membership"].get("number")))
    with repo.writing(f"points: {party.title} joins") as tx:
        data = tx.fresh(party).data
        taken = _member_numbers(repo)
        chosen = (number or "").strip() or _next_number(repo.config.membership.number_prefix, taken)
        if chosen in taken:
            raise InvalidValue(_("member number {number} belongs to {ref}").format(number=chosen, ref=taken[chosen]))
        data["membership"] = {"number": chosen, "since": day}
        tx.update(party)
    return party


def redeem(repo, party: Record, amount: int | str, note: str | None = None) -> tuple[int, int]:
    """Take `amount` points (as typed) off a member's balance, kept in its file with who, when
    and why; returns the points taken and the balance left. More than the balance (as of today) is refused, and
    nothing is written."""
    points = parse_points(amount)
    with repo.writing(f"points: {party.title} redeems {points}") as tx:
        fresh = tx.fresh(party)
        membership = fresh.data.get("membership")
        if not isinstance(membership, dict):
            raise InvalidValue(_("{id} is not a member: make it one with crm points {id} join").format(id=party.id))
        left = balance(member_points(repo, fresh))
        if points > left:
            raise InvalidValue(_("{id} has {balance} points; cannot redeem {points}").format(
                id=party.id, balance=left, points=points))
        entry: dict = {"at": moment_text(repo.clock.now()), "points": points}
        if note and note.strip():
            entry["note"] = note.strip()
        if repo.config.me:
            entry["by"] = repo.config.me
        membership.setdefault("redemptions", []).append(entry)
        tx.update(party)
    return points, left - points


def _member_numbers(repo) -> dict[str, str]:
    """Member number → the party holding it."""
    numbers = {}
    for kind in PARTY_KINDS:
        for party in repo.records(kind.name):
            membership = party.data.get("membership")
            if isinstance(membership, dict) and membership.get("number"):
                numbers[str(membership["number"])] = party.ref
    return numbers


def _next_number(prefix: str, taken: dict[str, str]) -> str:
    """One more than the highest number with `prefix`, six digits at least."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    highest = max((int(match[1]) for match in map(pattern.match, taken) if match), default=0)
    return f"{prefix}{highest + 1:06d}"
