"""Adding customers and suppliers, one code path for both kinds (editing and removing any
record is actions/editing.py)."""

from __future__ import annotations

from typing import NamedTuple

from crmcli.actions.editing import Adjust
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.fieldnames import option_fields
from crmcli.model.ids import SLUG, slugify, unique_slug
from crmcli.model.kinds import PARTY_KINDS, Kind, plays
from crmcli.model.record import Record
from crmcli.model.taxids import tax_id_problem
from crmcli.reports.duplicates import duplicates_of
from crmcli.store.questions import Match

LIST_FIELDS = ("tags", "phones", "emails")


def assign_owner(repo, record: dict, party: Record, owner: str | None = None) -> None:
    """Set a new record's owner: the one given, else the party's, else `me` of crm.yaml."""
    chosen = owner or party.data.get("owner") or repo.config.me
    if chosen:
        record["owner"] = chosen


def with_flags(fields: dict, options: dict) -> dict:
    """A party's fields (typed, or read as YAML) with `customer add`'s options on top, named as
    the options are (`city`, `tax-id`: the names of model/fieldnames.py, which imports read
    too): empty options left out, tags without repeats, one address from its parts."""
    merged = dict(fields)
    parts: dict[str, str] = {}
    for path, value in option_fields(options).items():
        if path.startswith("addresses[0]."):
            parts[path.split(".", 1)[1]] = str(value)
        else:
            merged[path] = value
    if merged.get("tags"):
        merged["tags"] = list(dict.fromkeys(merged["tags"]))
    if parts.get("country"):
        parts["country"] = parts["country"].upper()
    if parts:
        merged["addresses"] = [parts]
    return merged


def new_party(repo, kind: Kind, fields: dict, party_id: str | None = None, claimed=frozenset()) -> dict:
    """A party record from `fields` (empty values dropped), with its id and defaults. Ids in
    `claimed` are taken too (by parties an import is about to write)."""
    name = str(fields.get("name") or "").strip()
    if not name:
        raise InvalidValue(_("a {kind} needs a name").format(kind=_(kind.name)))
    record = {key: value for key, value in fields.items() if value not in (None, "", [], {})}
    record["name"] = name
    party_id = party_id or record.pop("id", None)
    for field, kinds in kind.only_for.items():
        if field in record and kind.name not in kinds:
            raise InvalidValue(_("{field} applies to {kinds} only").format(field=field,
                                                                           kinds=", ".join(_(k) for k in kinds)))
    if party_id:
        if not SLUG.match(party_id):
            raise InvalidValue(_("invalid id {id!r}: use lowercase letters, digits and dashes").format(id=party_id))
        if party_id in claimed or repo.exists(f"{kind.folder}/{party_id}"):
            raise InvalidValue(_("{path} already exists").format(path=f"{kind.folder}/{party_id}.yaml"))
    record["id"] = party_id or unique_slug(name, lambda slug: slug in claimed or repo.exists(f"{kind.folder}/{slug}"))
    record.setdefault("entity", "company")
    if kind.name == "customer":
        record.setdefault("lifecycle", "customer")
    if repo.config.me:
        record.setdefault("owner", repo.config.me)
    for key in LIST_FIELDS:
        if isinstance(record.get(key), str):
            record[key] = [record[key]]
    problem = tax_id_problem(record)  # here too, so that an import names the row it came from
    if problem:
        raise InvalidValue(problem)
    return record


def add_party(repo, kind: Kind, fields: dict, party_id: str | None = None, force: bool = False) -> Record:
    """Add a customer or supplier; refused (unless `force`) when `crm check --duplicates` would
    pair it with one already there, naming that one."""
    record = new_party(repo, kind, fields, party_id)
    twins = [] if force else duplicates_of(repo, kind, record)
    if twins:
        score, party, why = twins[0]
        raise InvalidValue(_("{ref} ({name}) looks like the same {kind} ({why}, score {score}): add it anyway "
                             "with --force, or change that one (crm {command} edit {id})").format(
            ref=party.ref, name=party.data.get("name"), kind=_(kind.name), why=why, score=score, command=kind.name,
            id=party.id))
    with repo.writing(f"{kind.name}: add {record['name']}") as tx:
        ref = tx.put(kind, record, new=True)
    return Record(ref, kind, record)


def retag(party: Record, add_tags=(), remove_tags=()) -> Adjust:
    """The change `--add-tag` and `--rm-tag` make to a party, for `edit_record`."""
    def adjust(record: dict) -> None:
        tags = list(record.get("tags") or [])
        for tag in add_tags:
            if tag not in tags:
                tags.append(tag)
        for tag in remove_tags:
            if tag not in tags:
                raise InvalidValue(_("{party} has no tag {tag!r}").format(party=party.id, tag=tag))
            tags.remove(tag)
        if tags:
            record["tags"] = tags
        else:
            record.pop("tags", None)

    return adjust



def twin_of(repo, kind: Kind, name: str, party_id: str | None = None) -> Record | None:
    """A party filed under the other kind that a new `kind` called `name` would duplicate:
    the same id, or the same name. It should take the role instead of getting a twin."""
    wanted = party_id or slugify(name)
    for other in PARTY_KINDS:
        if other == kind:
            continue
        same = repo.records(other, Match(id_is=wanted)) + repo.records(other, Match(one_of={"name": (name.strip(),)}))
        for record in same:
            if not plays(other, record.data, kind.name):
                return record
    return None


class RoleOffer(NamedTuple):
    """The party to add is already filed under the other kind (a supplier becoming a
    customer): it should take the role rather than get a twin. The face asks `question`, or
    refuses when no one can be asked."""

    twin: Record
    kind: Kind

    @property
    def question(self) -> str:
        return _("{name} is already a {other} ({ref}): make it a {kind} too, one party with both roles?").format(
            name=self.twin.title, other=_(self.twin.kind.name), ref=self.twin.ref, kind=_(self.kind.name))


class PartyAdded(NamedTuple):
    """The party added (named tuples, as RoleOffer: `crm customer add` defines them at start-up)."""

    record: Record
    took_role: bool = False
    """True when an existing party of the other kind took the role instead."""


def add_party_or_role(repo, kind: Kind, fields: dict, party_id: str | None = None, *, force: bool = False,
                      take_role: bool = False) -> PartyAdded | RoleOffer:
    """`crm customer|supplier add`: add the party, or, when it exists under the other kind,
    let that one take the role (with `take_role`), else offer it."""
    name = str(fields.get("name") or "")
    twin = twin_of(repo, kind, name, party_id or fields.get("id")) if name.strip() else None
    if twin is None:
        return PartyAdded(add_party(repo, kind, fields, party_id, force=force))
    if not take_role:
        return RoleOffer(twin, kind)
    return PartyAdded(add_role(repo, twin, kind.name), took_role=True)


def add_role(repo, party: Record, role: str) -> Record:
    """Let one party play `role` too (customer, supplier): one file, one id, in both lists."""
    with repo.writing(f"{party.kind.name}: {party.title} is a {role} too") as tx:
        data = tx.fresh(party).data
        roles = [party.kind.name, *(r for r in data.get("roles") or [] if r != party.kind.name)]
        if role in roles:
            raise InvalidValue(_("{ref} is a {role} already").format(ref=party.ref, role=_(role)))
        data["roles"] = [*roles, role]
        tx.update(party)
    return party
