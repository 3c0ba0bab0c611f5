"""Changing one record: from flags (`--set`, a kind's own options), or with none in $EDITOR,
validated after save and re-opened on error (as `crontab -e`). Every `edit` command ends here."""


import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from crmcli.actions.editing import check_text, edit_record, editable_text, save_text
from crmcli.cli.context import state
from crmcli.errors import CrmError, InvalidValue
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.query.resolve import resolve_record

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="FIELD=VALUE (repeatable): next.due=friday, amount=12000, tags=vip,cable; an empty VALUE "
                  "removes the field.")]
"""The --set of every edit command; fields are typed by the kind's schema (actions/fields.py)."""


def with_options(sets: list[str] | None, options: dict[str, str | None]) -> list[str]:
    """A kind's own options (`--amount 12000` is `amount=12000`) as assignments, then --set."""
    return [f"{field}={value}" for field, value in options.items() if value is not None] + list(sets or [])


def edit_command(group: typer.Typer, kind_name: str) -> None:
    """`crm <kind> edit ID [--set …]` for a kind without options of its own."""
    def command(ctx: typer.Context,
                record_id: Annotated[str, typer.Argument(metavar="ID", help="The id (a unique prefix will do).")],
                set_: SetOption = None):
        change(ctx, resolve_record(state(ctx).repo, KINDS[kind_name], record_id), set_)

    command.__doc__ = f"Change a {kind_name}: fields with --set, or with no flags in $EDITOR."
    group.command("edit")(command)


def change(ctx: typer.Context, record, sets: list[str] | None = None, adjust=None, what: str | None = None) -> None:
    """Apply `sets` and a kind's `adjust` (see actions.editing.edit_record); with neither,
    open the record in $EDITOR."""
    if sets or adjust is not None:
        edit_record(state(ctx).repo, record, sets or [], adjust, what)
        state(ctx).say(_("updated {ref}").format(ref=record.ref))
    else:
        edit_in_editor(ctx, record)


def edit_privately(text: str) -> str:
    """`text` as $EDITOR leaves it. The file may hold decrypted values, so it is the user's
    only (0600, in a 0700 folder of its own, outside the data directory) and removed after."""
    import tempfile  # lazy: it loads `random`, about 1 ms; of the commands loading this module, few edit

    with tempfile.TemporaryDirectory(prefix="crm-edit-") as folder:
        path = Path(folder) / "record.yaml"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
            handle.write(text)
        typer.edit(filename=str(path))
        return path.read_text(encoding="utf-8")


def edit_in_editor(ctx: typer.Context, record) -> None:
    run = state(ctx)
    repo = run.repo
    original, shown = editable_text(repo, record)
    text = shown
    while True:
        edited = edit_privately(text)
        if edited == shown:
            run.say(_("no changes to {path}").format(path=record.path))
            return
        try:
            check_text(record, edited)
        except CrmError as error:
            if not sys.stdin.isatty():
                raise  # one line, nothing written: no one is there to edit again
            run.say("crm: " + str(error))
            if not typer.confirm(_("Edit again?"), default=True, err=True):
                raise InvalidValue(_("edit discarded; the file is unchanged"), where=record.path) from error
            text = edited
            continue
        saved = save_text(repo, record, edited, original)
        run.say(_("updated {ref}").format(ref=saved.ref))
        return
