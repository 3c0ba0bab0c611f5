"""What an imported row becomes, kind by kind: new records are built by the same
functions as `crm … add` (actions/), existing ones found by the source system's key
(`external_ids`) are updated with the row's fields, and new parties are checked for
duplicates among the existing ones.

`take(item, tx)` plans one item and returns (status, note); with a transaction it also
stages the write. Parties and products are held until `flush`, since a later row may
touch them again; orders and interactions are staged at once.
"""

from __future__ import annotations

import copy

from crmcli.actions.contacts import put_contact
from crmcli.actions.interactions import new_interaction
from crmcli.actions.orders import DIRECTIONS, new_order
from crmcli.actions.parties import new_party
from crmcli.actions.products import new_product
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io.values import References, present, typed
from crmcli.model.dates import moment_text
from crmcli.model.kinds import KINDS, PARTY_KINDS, Kind
from crmcli.model.likeness import duplicate_keys
from crmcli.model.merging import fold_records
from crmcli.model.record import Record
from crmcli.model.text import fold
from crmcli.store.document import same
from crmcli.store.validation import refuse_invalid

ON_DUPLICATE = ("skip", "update", "create")


def validated(repo, kind: Kind, record: dict) -> dict:
    """Refuse a record its schema rejects, with the first problem (as `crm check` words it)."""
    now = moment_text(repo.clock.now())
    probe = {"created": now, "updated": now, **record}
    if kind.id_prefix and not probe.get("id"):
        probe["id"] = f"{kind.id_prefix}-00000000-0000"
    refuse_invalid(kind, probe, error=InvalidValue)
    return record


def _unchanged(old: dict, new: dict) -> bool:
    return same({k: v for k, v in new.items() if k != "updated"}, {k: v for k, v in old.items() if k != "updated"})


def _take(values: dict, names: dict[str, str]) -> dict:
    """The values a builder takes as arguments (field → argument name), removed from `values`."""
    return {argument: values.pop(name) for name, argument in names.items() if name in values}


class Handler:
    """What every kind shares: the repo, the source system, references, pending records."""

    kind: Kind

    def __init__(self, repo, source: str | None, origin: str, on_duplicate: str = "skip"):
        if on_duplicate not in ON_DUPLICATE:
            raise InvalidValue(_("--on-duplicate {choice!r}: use {choices}").format(choice=on_duplicate,
                                                                                   choices=", ".join(ON_DUPLICATE)))
        self.repo = repo
        self.source = source
        self.origin = origin
        self.on_duplicate = on_duplicate
        self.refs = References(repo, source)
        self.pending: dict[str, Record] = {}
        self.created: set[str] = set()

    def with_key(self, item) -> dict:
        values = dict(item.values)
        if item.key is not None and self.source:
            values[f"external_ids.{self.source}"] = item.key
        return values

    def existing(self, item) -> Record | None:
        ref = self.refs.external(self.kind).get(item.key) if item.key is not None else None
        return None if ref is None else self.current(ref)

    def current(self, ref: str) -> Record:
        return self.pending.get(ref) or self.repo.load(ref)

    def hold(self, record: Record, new: bool = False) -> None:
        """Keep a planned record until `flush` (a later row may change it again)."""
        self.pending[record.ref] = record
        if new:
            self.created.add(record.ref)

    def changed(self, record: Record, data: dict) -> str:
        """Hold `data` as the new state of `record`; "unchanged" if it is the same."""
        if _unchanged(record.data, data):
            return "unchanged"
        validated(self.repo, record.kind, data)
        self.hold(Record(record.ref, record.kind, data))
        return "update"

    def flush(self, tx) -> None:
        for ref, record in self.pending.items():
            if ref in self.created:
                tx.put(record.kind, record.data, new=True)
            else:
                tx.update(record)


class Parties(Handler):
    """Customers or suppliers, one row each, checked for duplicates by name, email, phone, tax id."""

    def __init__(self, repo, kind: Kind, *args, **kwargs):
        super().__init__(repo, *args, **kwargs)
        self.kind = kind
        self.keys: dict[tuple[str, str], str] | None = None

    def known(self) -> dict[tuple[str, str], str]:
        if self.keys is None:
            self.keys = {}
            for record in self.repo.records(self.kind):
                self.learn(record.data, record.ref)
        return self.keys

    def learn(self, data: dict, ref: str) -> None:
        for key in duplicate_keys(data):
            self.known().setdefault(key, ref)

    def take(self, item, tx) -> tuple[str, str | None]:
        values = self.with_key(item)
        found = self.existing(item)
        if found is not None:
            return self.changed(found, typed(copy.deepcopy(found.data), "party", values)), None
        return self.add(typed({}, "party", present(values)), item.key)

    def add(self, fields: dict, key: str | None) -> tuple[str, str | None]:
        """A new party, unless it looks like one there is (then as --on-duplicate says)."""
        matches = [(self.known()[key], key[0]) for key in duplicate_keys(fields) if key in self.known()]
        like = matches[0][0] if matches else None
        if like and self.on_duplicate == "skip":
            shared = ", ".join(dict.fromkeys(_(what) for ref, what in matches if ref == like))
            return "duplicate", _("like {ref} (same {keys})").format(ref=like, keys=shared)
        if like and self.on_duplicate == "update":
            found = self.current(like)
            merged = fold_records(found.data, fields, lambda conflict: "b")[0]
            return self.changed(found, merged), None
        record = new_party(self.repo, self.kind, fields, claimed={ref.rsplit("/", 1)[-1] for ref in self.created})
        validated(self.repo, self.kind, record)
        ref = self.kind.ref(record)
        self.hold(Record(ref, self.kind, record), new=True)
        self.learn(record, ref)
        if key is not None and self.source:
            self.refs.remember(self.kind, key, ref)
        return "create", None


class Contacts(Handler):
    """Contacts into the parties a `party` column names; an existing contact of the same
    name (or source key) is updated."""

    kind = KINDS["customer"]

    def take(self, item, tx) -> tuple[str, str | None]:
        values = self.with_key(item)
        named = values.pop("party", None)
        if not named:
            raise InvalidValue(_("no party named (map the column that names it to party)"))
        party = self.current(self.refs.party(str(named), PARTY_KINDS))
        contacts = party.data.get("contacts") or []
        contact = typed({}, "party", present(values), prefix="contacts[0].")["contacts"][0]
        position = next((i for i, c in enumerate(contacts) if item.key is not None and self.source and
                         (c.get("external_ids") or {}).get(self.source) == item.key), None)
        if position is None:
            position = next((i for i, c in enumerate(contacts) if fold(str(c.get("name", ""))) ==
                             fold(str(contact.get("name", "")))), None)
        data = copy.deepcopy(party.data)
        if position is not None:
            return self.changed(party, typed(data, "party", values, prefix=f"contacts[{position}].")), None
        put_contact(Record(party.ref, party.kind, data), contact, bool(contact.pop("primary", False)))
        self.changed(party, data)
        return "create", None


class Products(Handler):
    kind = KINDS["product"]
    ARGS = {"price": "price", "currency": "currency", "unit": "unit", "tax_rate": "tax_rate",
            "category": "category", "description": "description"}

    def take(self, item, tx) -> tuple[str, str | None]:
        values = self.with_key(item)
        named = values.pop("supplier", None)
        supplier = self.repo.load(self.refs.party(str(named), (KINDS["supplier"],))) if named else None
        found = self.existing(item)
        if found is None and values.get("id") and self.repo.exists(f"products/{values['id']}"):
            found = self.current(f"products/{values['id']}")
        if found is not None:
            data = typed(copy.deepcopy(found.data), "product", values)
            if supplier is not None:
                data["supplier"] = supplier.ref
            return self.changed(found, data), None
        values = present(values)
        if not values.get("id"):
            raise InvalidValue(_("no SKU (map a column to id)"))
        arguments = _take(values, self.ARGS)
        if "active" in values:
            arguments["active"] = typed({}, "product", {"active": values.pop("active")})["active"]
        record = new_product(self.repo, str(values.pop("id")), str(values.pop("name", "")), supplier=supplier,
                             **arguments)
        validated(self.repo, self.kind, typed(record, "product", values))
        self.hold(Record(self.kind.ref(record), self.kind, record), new=True)
        if item.key is not None and self.source:
            self.refs.remember(self.kind, item.key, self.kind.ref(record))
        return "create", None


class Streamed(Handler):
    """Kinds with random ids (interactions, orders): staged as soon as they are planned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parties: dict[str, Record] = {}

    def take(self, item, tx) -> tuple[str, str | None]:
        values = self.with_key(item)
        named = values.pop("party", None)
        if not named:
            raise InvalidValue(_("no party named (map the column that names it to party)"))
        party = self.party(str(named))
        record = self.build(party, present(values), item)
        found = self.existing(item)
        if found is None:
            validated(self.repo, self.kind, record)
            if tx is not None:
                tx.add(self.kind, record)
            return "create", None
        data = copy.deepcopy(found.data)
        data.update({key: value for key, value in record.items() if key not in self.KEEP})
        typed(data, self.kind.schema, {path: None for path, value in values.items() if value is None})
        self.revise(data, record)
        if _unchanged(found.data, data):
            return "unchanged", None
        validated(self.repo, self.kind, data)
        if tx is not None:
            tx.update(Record(found.ref, found.kind, data), move=True)
        return "update", None

    KEEP: tuple[str, ...] = ("id", "created")
    PARTIES = PARTY_KINDS

    def party(self, named: str) -> Record:
        """The party a row names, read once per import however many rows name it."""
        ref = self.refs.party(named, self.PARTIES)
        if ref not in self.parties:
            self.parties[ref] = self.repo.load(ref)
        return self.parties[ref]

    def build(self, party: Record, values: dict, item) -> dict:
        """The new record a row makes (each kind its own way)."""
        raise NotImplementedError

    def revise(self, data: dict, record: dict) -> None:
        """Kind-specific care when an existing record takes a row's values."""

    def flush(self, tx) -> None:
        """Nothing is held: every record was staged when it was planned."""


class Interactions(Streamed):
    kind = KINDS["interaction"]
    ARGS = {"at": "at", "contact": "contact", "body": "body", "outcome": "outcome", "direction": "direction",
            "next.action": "next_action", "next.due": "due", "campaign": "campaign"}

    def build(self, party: Record, values: dict, item) -> dict:
        arguments = _take(values, self.ARGS)
        if "rating" in values:
            arguments["rating"] = int(typed({}, "interaction", {"rating": values.pop("rating")})["rating"])
        record = new_interaction(self.repo, party, str(values.pop("type", "")), str(values.pop("summary", "")),
                                 tags=values.pop("tags", ()), **arguments)
        return typed(record, "interaction", values)


class Orders(Streamed):
    """Sales or purchase orders with their lines; totals come from model/orders.py as for
    `crm order add`. An existing order keeps its payments and history; a new status is
    added to the history."""

    kind = KINDS["order"]
    KEEP = ("id", "created", "history", "status", "payments")
    ARGS = {"date": "day", "currency": "currency", "owner": "owner", "region": "region",
            "delivery_due": "delivery_due", "payment_due": "pay_by", "status": "status",
            "reference": "reference", "notes": "note"}

    def __init__(self, repo, direction: str, *args, **kwargs):
        super().__init__(repo, *args, **kwargs)
        self.direction = direction
        self.PARTIES = (KINDS[DIRECTIONS[direction]],)
        self.products = {p.id: p.data for p in repo.records("product")}

    def build(self, party: Record, values: dict, item) -> dict:
        lines = []
        for line in item.lines:
            line = present(line)
            if line.get("sku"):
                line["sku"] = self.refs.product(str(line["sku"]))
            lines.append(line)
        arguments = _take(values, self.ARGS)
        if "type" in values:
            arguments["special"] = values.pop("type") == "special"
        if "counts_toward_target" in values:
            counts = {"counts_toward_target": values.pop("counts_toward_target")}
            arguments["counts"] = typed({}, "order", counts)["counts_toward_target"]
        record = new_order(self.repo, self.direction, party, lines=lines, products=self.products,
                           imported=self.origin, **arguments)
        return typed(record, "order", values)

    def revise(self, data: dict, record: dict) -> None:
        if data.get("status") != record["status"]:
            entry = dict(record["history"][0])
            data.setdefault("history", []).append(entry)
            data["status"] = record["status"]
