"""Changing and removing any record after it was written: `crm edit`, `crm rm`, the kinds'
`edit` commands, `crm next`, `crm done`/`undone`, and $EDITOR on a record's YAML text.

Every change goes through `edit_record` (fields set from text, typed by the kind's schema,
and a kind's own adjustment) or `save_text` (the whole file from an editor); both validate
against the schema inside one transaction, so an invalid change writes nothing, and a file
whose date moved it (an interaction logged in the wrong month) moves with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from crmcli.actions.fields import set_field
from crmcli.actions.products import remove_product
from crmcli.errors import CrmError, InvalidValue, ValidationFailed
from crmcli.i18n import _
from crmcli.model.dates import moment_text
from crmcli.model.locked import LOCK, Locked, holds_envelopes, holds_locked, is_envelope
from crmcli.model.notices import Notice
from crmcli.model.record import Record
from crmcli.store import codec
from crmcli.store.questions import Match
from crmcli.store.schemas import schema
from crmcli.store.validation import refuse_invalid

Adjust = Callable[[dict], None]
"""A kind's own change to a record's fields, made after the --set ones (add a tag, close a step)."""


LOCKED_TEXT = "🔒 encrypted, your key cannot read it (leave as is)"
"""What $EDITOR shows for a protected value the user cannot read; it must come back as it was."""


def editable_text(repo, record: Record) -> tuple[str, str]:
    """(the record's file as it is, the text to edit): protected values the user reads shown
    decrypted, those they cannot as LOCKED_TEXT, every other line as the file has it."""
    original = codec.read(repo.path_of(record.ref)).decode("utf-8")
    if not holds_envelopes(original.encode("utf-8")):
        return original, original
    document = codec.load_roundtrip(original)
    _show_opened(document, record.data)
    return original, codec.dump(document)


def _show_opened(document, opened) -> None:
    """Replace, in the ruamel `document`, each envelope with its value in `opened` (the record
    as loaded: values, or Locked)."""
    places = document.items() if isinstance(document, dict) else enumerate(document)
    for key, item in list(places):
        try:
            value = opened[key]
        except (KeyError, IndexError, TypeError):
            continue
        if is_envelope(item):
            document[key] = LOCKED_TEXT if isinstance(value, Locked) else value
        elif isinstance(item, dict | list):
            _show_opened(item, value)


def _put_back_locked(before, after, record: Record, where: str = ""):
    """`after` (the edited record) with each value the user could not read (Locked in `before`)
    back as it was; one changed, moved or removed is refused."""
    if isinstance(before, Locked) and after == LOCKED_TEXT:
        return before
    if isinstance(before, Locked) or after == LOCKED_TEXT:
        _refuse_locked(record, where)
    if isinstance(before, dict) and isinstance(after, dict):
        gone = sorted(key for key in before.keys() - after.keys() if holds_locked(before[key]))
        if gone:
            _refuse_locked(record, f"{where}.{gone[0]}".lstrip("."))
        return {key: _put_back_locked(before.get(key), value, record, f"{where}.{key}".lstrip("."))
                for key, value in after.items()}
    if isinstance(before, list) and isinstance(after, list) and (len(before) == len(after) or not holds_locked(before)):
        return [_put_back_locked(before[index] if index < len(before) else None, value, record, f"{where}[{index}]")
                for index, value in enumerate(after)]
    if holds_locked(before):
        _refuse_locked(record, where)
    return after


def _refuse_locked(record: Record, where: str):
    raise InvalidValue(_("{field} is encrypted and your key cannot read it, so it cannot be changed here: leave "
                         "its {lock} line as it was").format(field=where, lock=LOCK), where=record.path)


def check_text(record: Record, text: str) -> dict:
    """The record in edited `text` (protected values the user cannot read put back as they
    were), or an error with `path:line` when it cannot be saved."""
    try:
        data = codec.decode(text.encode("utf-8"))
    except codec.RecordSyntaxError as error:
        where = f"{record.path}:{error.line}" if error.line else record.path
        raise ValidationFailed(error.message, where=where) from error
    if data.get("id") != record.id:
        raise InvalidValue(_("the id cannot change in an edit (it is {id!r})").format(id=record.id), where=record.path)
    data = _put_back_locked(record.data, data, record)
    refuse_invalid(record.kind, data, record.path, text)
    return data


def _filed_at(record: Record, data: dict) -> str | None:
    """Where `data` belongs by its fields (None when a hand edit left it without them)."""
    try:
        return record.kind.ref(data)
    except (KeyError, TypeError):
        return None


def _store(tx, record: Record, before: str | None, base_text: str | None = None) -> None:
    """Stage the changed record. One that was filed where its fields said (`before`) and no
    longer is (its date changed) moves there; a misfiled one stays where it was found."""
    moved = before == record.ref and _filed_at(record, record.data) != record.ref
    record.ref = tx.update(record, base_text=base_text, move=moved)


def save_text(repo, record: Record, text: str, original: str | None = None) -> Record:
    """Validate the edited text and save it, keeping it as written but for `updated`. With
    `original` (the file as the editor opened it), refuse if the file changed meanwhile."""
    data = check_text(record, text)
    edited = Record(record.ref, record.kind, data)
    with repo.writing(f"{record.kind.name}: edit {record.title} by hand") as tx:
        if original is not None:
            tx.unchanged_since(record, original)
        _store(tx, edited, _filed_at(record, record.data), base_text=text)
    return edited


def edit_record(repo, record: Record, sets: Sequence[str] = (), adjust: Adjust | None = None,
                what: str | None = None) -> Record:
    """Apply `FIELD=VALUE` assignments (typed by the schema, dates as people type them) and
    then `adjust`, to the record as its file is under the writers' lock (no other change is
    lost), and save it: refused, with nothing written, unless the result fits the schema.
    `what` says what changed, for the commit message (default: the assignments)."""
    with repo.writing(f"{record.kind.name}: edit {record.title} ({what or ', '.join(sets)})") as tx:
        data = tx.fresh(record).data
        before = _filed_at(record, data)
        for assignment in sets:
            set_field(data, record.kind.schema, assignment, repo.clock)
        if adjust is not None:
            adjust(data)
        _store(tx, record, before)
    return record


def set_next_step(repo, interaction: Record, action: str | None = None, due: str | None = None) -> Record:
    """Reword (`action`) or reschedule (`due`, as typed: `friday`, `+3d`; empty to take the
    date away) the next step of an interaction; an interaction without one gets it."""
    if action is None and due is None:
        raise InvalidValue(_("say what changes: --due, --action or both"))
    if interaction.kind.name != "interaction":
        raise InvalidValue(_("{ref} is a {kind}: only interactions have a next step").format(
            ref=interaction.ref, kind=_(interaction.kind.name)))

    def needs_action(data: dict) -> None:
        if not (data.get("next") or {}).get("action"):
            raise InvalidValue(_("{id} has no next step: give its --action").format(id=interaction.id))

    sets = [f"next.{field}={value}" for field, value in (("action", action), ("due", due)) if value is not None]
    return edit_record(repo, interaction, sets, needs_action)


def mark_step(repo, interaction: Record, done: bool) -> Record:
    """Mark the next step of an interaction done (now), or not done after all."""
    def mark(data: dict) -> None:
        step = data.get("next")
        if not step:
            raise InvalidValue(_("{id} has no next step").format(id=interaction.id))
        if done and step.get("done"):
            raise InvalidValue(_("the next step of {id} was already done at {done}").format(id=interaction.id,
                                                                                             done=step["done"]))
        if not done and not step.get("done"):
            raise InvalidValue(_("the next step of {id} is not done").format(id=interaction.id))
        if done:
            step["done"] = moment_text(repo.clock.now())
        else:
            del step["done"]

    verb = "done" if done else "undone"
    edit_record(repo, interaction, (), mark, what=f"{verb}: {(interaction.data.get('next') or {}).get('action')}")
    return interaction


def mentions(value, ref: str) -> bool:
    """Whether `ref` is a value anywhere in `value` (a record's data)."""
    if isinstance(value, dict):
        return any(mentions(item, ref) for item in value.values())
    if isinstance(value, list):
        return any(mentions(item, ref) for item in value)
    return value == ref


def referring(repo, ref: str) -> list[Record]:
    """Records of any kind that name `ref` anywhere: an interaction's `party`, a deal's
    `order` or `source`, a campaign's members. Found generically, so new kinds are covered."""
    return [record for record in repo.records(match=Match(mentions=ref, every_day=True))
            if record.ref != ref and mentions(record.data, ref)]


def cut(value, ref: str):
    """`value` without `ref`: a key holding it is dropped, and so is a list item."""
    if isinstance(value, dict):
        return {key: cut(item, ref) for key, item in value.items() if item != ref}
    if isinstance(value, list):
        return [cut(item, ref) for item in value if item != ref]
    return value


def remove_record(repo, record: Record, force: bool = False) -> list[Record]:
    """Delete a record and the files that are its own (document, attachments); refused while
    other records name it. With `force`, a record that cannot be without it (it names it in
    a required field: an interaction's party) goes too, and the others lose the reference
    (a campaign's member, a deal's `order`). Returns the records removed with it. What
    refers to it is looked up under the writers' lock, so nothing logged meanwhile is left
    pointing at nothing. A product has its own rule: orders copy their lines, so they keep them."""
    if record.kind.name == "product":
        remove_product(repo, record, force)
        return []
    with repo.writing(f"{record.kind.name}: remove {record.title}") as tx:
        dependents = referring(repo, record.ref)
        if dependents and not force:
            raise CrmError(
                _("{ref} is referred to by {count} record(s), e.g. {example}; --force removes it with the "
                  "records that cannot be without it and takes it out of the others").format(
                    ref=record.ref, count=len(dependents), example=dependents[0].ref))
        removed = []
        for dependent in dependents:
            required = schema(dependent.kind.schema).get("required", [])
            if any(dependent.data.get(field) == record.ref for field in required):
                removed.append(dependent)
                for path in [f"{dependent.ref}.yaml", *own_files(repo, dependent)]:
                    tx.remove_file(path)
            else:
                tx.update(Record(dependent.ref, dependent.kind, cut(dependent.data, record.ref)))
        for path in own_files(repo, record):
            tx.remove_file(path)
        tx.remove(record.ref)
    return removed


def own_files(repo, record: Record) -> list[str]:
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
            repo.warnings.append(Notice(_("{record}: {path} does not belong to {id}; left in place").format(
                record=record.path, path=path, id=record.id), record.path))
    return own
