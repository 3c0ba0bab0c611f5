"""Saving a record edited as YAML text (`crm customer edit` with no flags opens $EDITOR)."""

from __future__ import annotations

from crmcli.errors import InvalidValue, ValidationFailed
from crmcli.i18n import _
from crmcli.model.record import Record
from crmcli.store import codec
from crmcli.store.validation import line_of, schema_problems


def check_text(record: Record, text: str) -> dict:
    """The record in edited `text`, or an error with `path:line` when it cannot be saved."""
    try:
        data = codec.decode(text.encode("utf-8"))
    except codec.RecordSyntaxError as error:
        where = f"{record.path}:{error.line}" if error.line else record.path
        raise ValidationFailed(error.message, where=where) from error
    if data.get("id") != record.id:
        raise InvalidValue(_("the id cannot change in an edit (it is {id!r})").format(id=record.id), where=record.path)
    problems = schema_problems(record.kind, data, record.path)
    if problems:
        field, message = problems[0]
        line = line_of(text, field)
        raise ValidationFailed(message, where=f"{record.path}:{line}" if line else record.path)
    return data


def save_text(repo, record: Record, text: str, original: str | None = None) -> Record:
    """Validate the edited text and save it, keeping it as written but for `updated`. With
    `original` (the file as the editor opened it), refuse if the file changed meanwhile."""
    data = check_text(record, text)
    edited = Record(record.ref, record.kind, data)
    moved = record.kind.ref(record.data) == record.ref and record.kind.ref(data) != record.ref
    with repo.writing(f"{record.kind.name}: edit {record.title} by hand") as tx:
        if original is not None:
            tx.unchanged_since(record, original)
        edited.ref = tx.update(edited, base_text=text, move=moved)
    return edited
