"""Adding, editing and removing customers and suppliers: one code path for both kinds."""

from __future__ import annotations

from crmcli.actions.fields import set_field
from crmcli.errors import CrmError, InvalidValue
from crmcli.i18n import _
from crmcli.model.ids import SLUG, unique_slug
from crmcli.model.kinds import Kind
from crmcli.model.record import Record

LIST_FIELDS = ("tags", "phones", "emails")


def assign_owner(repo, record: dict, party: Record, owner: str | None = None) -> None:
    """Set a new record's owner: the one given, else the party's, else `me` of crm.yaml."""
    chosen = owner or party.data.get("owner") or repo.config.me
    if chosen:
        record["owner"] = chosen


def with_flags(fields: dict, flags: dict, address: dict) -> dict:
    """A party's fields (typed, or read as YAML) with the command line's flags on top:
    empty flags left out, tags without repeats, one address from its parts."""
    merged = dict(fields)
    merged.update({key: value for key, value in flags.items() if value})
    if merged.get("tags"):
        merged["tags"] = list(dict.fromkeys(merged["tags"]))
    parts = {key: value for key, value in address.items() if value}
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
    return record


def add_party(repo, kind: Kind, fields: dict, party_id: str | None = None, force: bool = False) -> Record:
    """Add a customer or supplier; refused (unless `force`) when `crm check --duplicates` would
    pair it with one already there, naming that one."""
    from crmcli.reports.duplicates import duplicates_of

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


def edit_party(repo, party: Record, sets=(), add_tags=(), remove_tags=()) -> Record:
    """Apply `--set`, `--add-tag` and `--rm-tag` and save; refuses to save an invalid record.
    The changes apply to the party as its file is under the writers' lock (none is lost)."""
    changes = [*sets, *(f"+{t}" for t in add_tags), *(f"-{t}" for t in remove_tags)]
    with repo.writing(f"{party.kind.name}: edit {party.title} ({', '.join(changes)})") as tx:
        record = tx.fresh(party).data
        for assignment in sets:
            set_field(record, party.kind.schema, assignment)
        tags = list(record.get("tags") or [])
        for tag in add_tags:
            if tag not in tags:
                tags.append(tag)
        for tag in remove_tags:
            if tag not in tags:
                raise InvalidValue(_("{party} has no tag {tag!r}").format(party=party.id, tag=tag))
            tags.remove(tag)
        if add_tags or remove_tags:
            if tags:
                record["tags"] = tags
            else:
                record.pop("tags", None)
        tx.update(party)
    return party


def referring(repo, ref: str) -> list[Record]:
    """Records that point to `ref` (its interactions and, as kinds grow, orders, deals…)."""
    return [record for record in repo.records(where="party = ?", params=(ref,)) if record.ref != ref]


def remove_party(repo, party: Record, force: bool = False) -> list[Record]:
    """Delete a party; with `force`, also the records that point to it. Returns those records.
    What refers to it is looked up under the writers' lock, so a record logged meanwhile is
    not left pointing at nothing."""
    with repo.writing(f"{party.kind.name}: remove {party.title}") as tx:
        dependents = referring(repo, party.ref)
        if dependents and not force:
            raise CrmError(
                _("{ref} is referred to by {count} record(s), e.g. {example}; "
                  "use --force to remove it together with them").format(ref=party.ref, count=len(dependents),
                                                                       example=dependents[0].ref)
            )
        for record in dependents:
            tx.remove(record.ref)
            for path in _own_files(repo, record):
                tx.remove_file(path)
        tx.remove(party.ref)
    return dependents


def _own_files(repo, record: Record) -> list[str]:
    """The files that belong to a record and go with it: its document (`<ref>.md`) and what
    is in attachments/<id>/. A path naming anything else (a hand edit, a hostile pull) is left
    alone, with a warning, rather than deleting another record's file."""
    named = [record.data.get("document")] + [a.get("path") for a in record.data.get("attachments") or []
                                             if isinstance(a, dict)]
    own = []
    for path in filter(None, named):
        if path == f"{record.ref}.md" or (path.startswith(f"attachments/{record.id}/") and path.count("/") == 2):
            own.append(path)
        else:
            repo.warnings.append(_("{record}: {path} does not belong to {id}; left in place").format(
                record=record.path, path=path, id=record.id))
    return own
