"""`crm merge A B`: fold party B into party A and point every record that named B at A.

References are found generically: any record of any kind whose text holds B's
reference (`party:`, a product's `supplier:`, a campaign's members…) has every value
equal to it rewritten, so kinds added later are covered without a change here.
"""

from __future__ import annotations

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.merging import Conflict, Decide, fold_records
from crmcli.model.record import Record
from crmcli.model.views import Column, Document, Fields, Table
from crmcli.store.questions import Match


class MergePlan:
    """What merging B into A does (`crm merge`, and the offer of `crm customer add`). A plain
    class, not a dataclass: `crm customer add` defines it at start-up, and a dataclass costs
    about half a millisecond to define."""

    def __init__(self, a: Record, b: Record, merged: dict, conflicts: list[Conflict], decided: bool):
        self.a = a
        self.b = b
        self.merged = merged
        self.conflicts = conflicts
        self.decided = decided
        self.moved: list[Record] = []

    def view(self) -> Document:
        """What the merge does: fields B adds to A, conflicts and how they end, records moved."""
        added = [key for key, value in self.merged.items() if key not in ("updated",) and self.a.data.get(key) != value]
        facts = [(N_("merge"), _("{b} into {a}").format(b=self.b.ref, a=self.a.ref)),
                 (N_("fields changed on A"), ", ".join(added) or _("none")),
                 (N_("records pointed at A"), len(self.moved)), (N_("removed"), self.b.ref)]
        parts: list = [Fields(facts, title="Merge plan")]
        if self.conflicts:
            rows = [{"field": c.field, "a": c.a, "b": c.b, "kept": c.kept or _("to choose")} for c in self.conflicts]
            parts.append(Table([Column("field", "field"), Column("a", "A"), Column("b", "B"), Column("kept", "kept")],
                               rows, title="Conflicts"))
        if self.moved:
            parts.append(Table([Column("ref", "record")], [{"ref": r.ref} for r in self.moved],
                               title="Records that named B"))
        payload = {"a": self.a.ref, "b": self.b.ref, "changed": added, "moved": [r.ref for r in self.moved],
                   "conflicts": [{"field": c.field, "a": c.a, "b": c.b, "kept": c.kept} for c in self.conflicts]}
        return Document(parts, payload=payload)


def rewritten(value, old: str, new: str):
    """`value` with every string equal to `old` replaced by `new`, at any depth."""
    if isinstance(value, dict):
        return {key: rewritten(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [rewritten(item, old, new) for item in value]
    return new if value == old else value


def plan_merge(repo, a: Record, b: Record, decide: Decide | None) -> MergePlan:
    if a.ref == b.ref:
        raise InvalidValue(_("{ref} is the same party twice").format(ref=a.ref))
    merged, conflicts = fold_records(a.data, b.data, decide)
    roles = _roles(a) | _roles(b)
    if len(roles) > 1:  # twins: a customer and a supplier that are one company (客商)
        merged["roles"] = sorted(roles)
        if a.kind.name != "customer":
            merged.pop("lifecycle", None)  # a customers-only field; merge into the customer to keep it
    plan = MergePlan(a, b, merged, conflicts, decide is not None)
    for record in repo.records(match=Match(mentions=b.ref, every_day=True)):
        if record.ref not in (a.ref, b.ref):
            changed = rewritten(record.data, b.ref, a.ref)
            if changed != record.data:
                plan.moved.append(Record(record.ref, record.kind, changed))
    return plan


def _roles(party: Record) -> set[str]:
    return {party.kind.name, *(party.data.get("roles") or [])}


def merge_parties(repo, plan: MergePlan) -> None:
    """Write the plan: A folded, the records that named B pointed at A, B removed."""
    if plan.conflicts and not plan.decided:
        listing = "; ".join(f"{c.field} ({c.a!r} / {c.b!r})" for c in plan.conflicts[:3])
        if len(plan.conflicts) > 3:
            listing += _(" and {count} more").format(count=len(plan.conflicts) - 3)
        raise InvalidValue(_("{a} and {b} differ in {fields}: run crm merge on a terminal to choose, or pass "
                             "--prefer a|b").format(a=plan.a.ref, b=plan.b.ref, fields=listing))
    with repo.writing(f"merge: {plan.b.ref} into {plan.a.ref}") as tx:
        tx.update(Record(plan.a.ref, plan.a.kind, plan.merged))
        for record in plan.moved:
            tx.update(record)
        tx.remove(plan.b.ref)
