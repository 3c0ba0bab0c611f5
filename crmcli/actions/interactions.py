"""Logging contacts with a party (changing them afterwards is actions/editing.py)."""

from __future__ import annotations

from crmcli.actions.contacts import find_contact
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import happened_day, moment_text, parse_day, parse_moment
from crmcli.model.kinds import KINDS
from crmcli.model.record import Record
from crmcli.query.resolve import resolve_record

TYPES = ("call", "email", "meeting", "visit", "message", "note")


def log_interaction(repo, party: Record, type_: str, summary: str, **how) -> Record:
    """`crm log`: record one interaction; `at`, `due` are typed dates (`now`, `+2d`, `friday
    15:00`…), `campaign` names a campaign (CP-…, a unique prefix will do)."""
    if how.get("campaign"):
        how["campaign"] = resolve_record(repo, KINDS["campaign"], how["campaign"]).ref
    record = new_interaction(repo, party, type_, summary, **how)
    # a typed --at after today is a slip; later today stays allowed (a meeting noted as it
    # starts). Emails keep the moment their sender's clock gave: the check is here, not in
    # new_interaction
    happened_day(how.get("at"), repo.clock, "--at", hint=_(
        "{option} {day} is after today: log what happened, and plan what comes with --next and --due"))
    kind = KINDS["interaction"]
    with repo.writing(f"log: {type_} with {party.title} — {record['summary']}") as tx:
        ref = tx.add(kind, record)
    return Record(ref, kind, record)


def new_interaction(repo, party: Record, type_: str, summary: str, *, at: str | None = None,
                    contact: str | None = None, body: str | None = None, outcome: str | None = None,
                    tags=(), direction: str | None = None, next_action: str | None = None,
                    due: str | None = None, campaign: str | None = None, rating: int | None = None) -> dict:
    """An interaction record (without its id), for `crm log` and for imports."""
    if type_ not in TYPES:
        raise InvalidValue(_("unknown interaction type {type!r} (use {types})").format(type=type_,
                                                                                        types=", ".join(TYPES)))
    if not summary.strip():
        raise InvalidValue(_("the summary is empty"))
    if due is not None and not next_action:
        raise InvalidValue(_("--due needs --next (the action that is due)"))
    clock = repo.clock
    record: dict = {"party": party.ref}
    if contact:
        record["contact"] = party.data["contacts"][find_contact(party, contact)]["name"]
    record["type"] = type_
    if type_ != "note":
        record["direction"] = direction or "out"
    elif direction:
        record["direction"] = direction
    record["at"] = moment_text(parse_moment(at, clock) if at else clock.now())
    record["summary"] = summary.strip()
    if body:
        record["body"] = body if body.endswith("\n") or "\n" not in body else body + "\n"
    if outcome:
        record["outcome"] = outcome
    if rating is not None:
        record["rating"] = rating
    if tags:
        record["tags"] = list(dict.fromkeys(tags))
    if next_action:
        record["next"] = {"action": next_action.strip()}
        if due is not None:
            record["next"]["due"] = parse_day(due, clock).isoformat()
    if campaign:
        record["campaign"] = campaign
    return record
