"""Editing a record in $EDITOR and validating it after save, re-opening on error (as `crontab -e`)."""


import sys

import typer

from crmcli.cli.context import state
from crmcli.i18n import _


def edit_in_editor(ctx: typer.Context, record) -> None:
    from crmcli.actions.editing import check_text, save_text
    from crmcli.errors import CrmError, InvalidValue

    run = state(ctx)
    repo = run.repo
    from crmcli.store import codec

    original = codec.read(repo.path_of(record.ref)).decode("utf-8")
    text = original
    while True:
        edited = typer.edit(text, extension=".yaml", require_save=False)
        if edited is None or edited == original:
            run.say(_("no changes to {path}").format(path=record.path))
            return
        try:
            check_text(record, edited)
        except CrmError as error:
            run.say("crm: " + str(error))
            if not sys.stdin.isatty() or not typer.confirm(_("Edit again?"), default=True, err=True):
                raise InvalidValue(_("edit discarded; the file is unchanged"), where=record.path) from error
            text = edited
            continue
        save_text(repo, record, edited, original)
        run.say(_("updated {ref}").format(ref=record.ref))
        return
