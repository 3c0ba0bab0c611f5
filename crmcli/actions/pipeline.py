"""The sales pipeline: a customer's lifecycle, deals moving through stages, sales targets."""

from __future__ import annotations

from crmcli.actions.orders import add_order
from crmcli.actions.parties import assign_owner
from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.dates import moment_text, parse_day
from crmcli.model.ids import slugify
from crmcli.model.kinds import KINDS
from crmcli.model.money import currency as currency_code
from crmcli.model.money import parse_amount, parse_positive
from crmcli.model.notices import Notice
from crmcli.model.periods import parse_period
from crmcli.model.pipeline import check_probability, check_stage, is_closed_deal, next_lifecycle
from crmcli.model.record import Record
from crmcli.query.resolve import resolve_record


def change_lifecycle(repo, party: Record, step: int, to: str | None = None, note: str | None = None) -> Record:
    """Promote (step 1) or demote (step -1) a customer along lead → prospect → customer → inactive."""
    if party.kind.name != "customer":
        raise InvalidValue(_("{ref} is a {kind}; only customers have a lifecycle").format(
            ref=party.ref, kind=_(party.kind.name)))
    with repo.writing(f"customer: {party.title} lifecycle") as tx:
        current = tx.fresh(party).data.get("lifecycle", "customer")
        target = next_lifecycle(current, step, to)
        if target == current:
            raise InvalidValue(_("{id} is already a {stage}").format(id=party.id, stage=_(current)))
        tx.message = f"customer: {party.title} {current} → {target}"
        entry = {"at": moment_text(repo.clock.now()), "status": target}
        if repo.config.me:
            entry["by"] = repo.config.me
        if note:
            entry["note"] = note
        history = party.data.setdefault("lifecycle_history", [])
        if not history:
            history.append({"at": str(party.data.get("created", entry["at"])), "status": current})
        history.append(entry)
        party.data["lifecycle"] = target
        tx.update(party)
    return party


def add_deal(repo, party: Record, title: str, *, amount: str | None = None, currency: str | None = None,
             stage: str | None = None, close: str | None = None, source: str | None = None,
             owner: str | None = None, probability: str | None = None) -> Record:
    stages = repo.config.stages
    first = next(iter(stages))
    record: dict = {"party": party.ref, "title": title.strip()}
    if not record["title"]:
        raise InvalidValue(_("a deal needs a title"))
    assign_owner(repo, record, party, owner)
    if amount is not None:
        code = currency_code(currency or repo.config.currency)
        record["amount"] = parse_amount(amount, code)
        record["currency"] = code
    record["stage"] = check_stage(stage or first, stages)
    if probability is not None:
        record["probability"] = check_probability(probability)
    if close:
        record["close"] = parse_day(close, repo.clock).isoformat()
    if source:
        is_campaign = source.upper().startswith("CP-")
        record["source"] = resolve_record(repo, KINDS["campaign"], source).ref if is_campaign else source
    now = moment_text(repo.clock.now())
    record["history"] = [{"at": now, "status": record["stage"], **({"by": repo.config.me} if repo.config.me else {})}]
    kind = KINDS["deal"]
    with repo.writing(f"deal: add {record['title']} with {party.title}") as tx:
        ref = tx.add(kind, record)
    return Record(ref, kind, record)


def move_deal(repo, deal: Record, stage: str, note: str | None = None) -> Record:
    """`crm deal move`: a deal to another open stage (won and lost have their commands)."""
    _check_open_stage(repo, stage)
    return _write_move(repo, deal, stage, note=note)


def lose_deal(repo, deal: Record, reason: str) -> Record:
    """`crm deal lost`: close a deal as lost, with the reason."""
    return _write_move(repo, deal, "lost", reason=reason)


def _write_move(repo, deal: Record, stage: str, *, note: str | None = None, reason: str | None = None,
                order: str | None = None) -> Record:
    """Move a deal to `stage` (won and lost close it); a closed deal moves no more."""
    check_stage(stage, repo.config.stages)
    with repo.writing(f"deal: {deal.id} → {stage}") as tx:
        _move_deal(repo, tx.fresh(deal), stage, note, reason, order)
        tx.update(deal)
    return deal


def _check_open_stage(repo, stage: str) -> None:
    if stage in ("won", "lost"):
        raise InvalidValue(_("use crm deal {stage} to close a deal").format(stage=stage))
    check_stage(stage, repo.config.stages)


def restage(repo, deal: Record, stage: str, note: str | None = None):
    """`crm deal edit --stage`: the same move as `crm deal move`, as a change for
    `edit_record`, so it lands in one write with the deal's other changes."""
    _check_open_stage(repo, stage)

    def adjust(data: dict) -> None:
        _move_deal(repo, Record(deal.ref, deal.kind, data), stage, note, None, None)

    return adjust


def _move_deal(repo, deal: Record, stage: str, note: str | None, reason: str | None, order: str | None) -> None:
    data = deal.data
    if is_closed_deal(data):
        raise InvalidValue(_("{id} is {stage}: a closed deal cannot move").format(id=deal.id, stage=_(data["stage"])))
    if stage == data["stage"]:
        raise InvalidValue(_("{id} is already at {stage}").format(id=deal.id, stage=_(stage)))
    if stage == "lost" and not (reason or "").strip():
        raise InvalidValue(_("a lost deal needs a reason (--reason)"))
    entry = {"at": moment_text(repo.clock.now()), "status": stage}
    if repo.config.me:
        entry["by"] = repo.config.me
    said = note or reason
    if said:
        entry["note"] = said
    data.setdefault("history", []).append(entry)
    data["stage"] = stage
    if stage in ("won", "lost"):
        data["close"] = repo.clock.today().isoformat()
    if reason:
        data["lost_reason"] = reason.strip()
    if order:
        data["order"] = order


def win_deal(repo, deal: Record, make_order: bool = False, note: str | None = None) -> tuple[Record, Record | None]:
    """Mark a deal won; with `make_order`, also the sales order for its amount (one line)."""
    order = None
    if make_order:
        if deal.data.get("amount") is None:
            raise InvalidValue(_("{id} has no amount to make an order from").format(id=deal.id))
        if is_closed_deal(deal.data):
            raise InvalidValue(_("{id} is {stage}: a closed deal cannot move").format(id=deal.id,
                                                                                      stage=_(deal.data["stage"])))
        party = repo.load(deal.data["party"])
        order = add_order(repo, "sale", party, lines=[{"description": deal.data["title"], "quantity": 1,
                                                       "unit_price": deal.data["amount"]}],
                          currency=deal.data.get("currency"), owner=deal.data.get("owner"), status="confirmed",
                          note=f"from deal {deal.id}", deal=deal.ref)
    _write_move(repo, deal, "won", note=note, order=order.ref if order else None)
    return deal, order


def _warn_of_an_unknown_owner(repo, owner: str | None) -> None:
    """Owners are free text, so `crm target set lii …` made a target nobody could attain
    without a word. A new colleague may get one before owning anything: warned, not refused."""
    known = set(repo.ask.party_owners().values()) | ({repo.config.me} if repo.config.me else set())
    if owner and owner not in known:
        repo.warnings.append(Notice(_("no customer or supplier is owned by {owner!r} yet (owners: {known}): "
                                      "check the spelling").format(owner=owner, known=", ".join(sorted(known)))))


def set_target(repo, owner: str | None, period: str, amount: str, currency: str | None = None) -> Record:
    """A target for an owner (or, with no owner or `all`, the whole business) and a period."""
    owner = None if owner == "all" else owner
    span = parse_period(period, repo.clock.today())
    if not (len(period) == 4 or "-Q" in period.upper() or len(period) == 7) or ".." in period:
        raise InvalidValue(_("a target is for a year, a quarter or a month (2026, 2026-Q4, 2026-11), not "
                             "{period!r}").format(period=period))
    label = span.label.upper() if "-Q" in span.label.upper() else span.label
    code = currency_code(currency or repo.config.currency)
    record: dict = {"id": f"{slugify(owner) if owner else 'all'}-{label}".lower()}
    if owner:
        record["owner"] = owner
    record.update({"period": label, "amount": parse_positive(amount, code, N_("a target")), "currency": code})
    kind = KINDS["target"]
    target = Record(kind.ref(record), kind, record)
    _warn_of_an_unknown_owner(repo, owner)
    with repo.writing(f"target: {owner or 'business'} {label} {record['amount']} {code}") as tx:
        if repo.path_of(target.ref).exists():
            # a new amount for an existing target: the rest of it (its announcement, hand edits) stays
            target.data = {**tx.fresh(target).data, **record}
            tx.update(target)
        else:
            tx.put(kind, record, new=True)
    return target
