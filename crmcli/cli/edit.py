"""`crm edit`, `crm rm`, `crm next`, `crm done` and `crm undone`: changing any record by its id."""

from typing import Annotated

import typer

from crmcli.actions.editing import mark_step, remove_record, set_next_step
from crmcli.cli.context import state
from crmcli.cli.editor import SetOption, change
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.query.resolve import resolve_record

AnyId = Annotated[str, typer.Argument(
    metavar="ID", help="The record's id (a unique prefix will do) or its path: IN-20261120, customers/acme.")]
InteractionId = Annotated[str, typer.Argument(
    metavar="ID", help="The interaction's id (a unique prefix will do).")]


def find(ctx: typer.Context, text: str, kind_name: str | None = None):
    """The record `text` names, of `kind_name` or of any kind."""
    return resolve_record(state(ctx).repo, KINDS[kind_name] if kind_name else None, text)


def register(app: typer.Typer) -> None:
    @app.command("edit")
    def edit(ctx: typer.Context, record_id: AnyId, set_: SetOption = None):
        """Change any record: fields with --set, or with no flags the whole file in $EDITOR
        (validated before it is saved)."""
        change(ctx, find(ctx, record_id), set_)

    @app.command("rm")
    def rm(ctx: typer.Context, record_id: AnyId,
           force: Annotated[bool, typer.Option(
               "--force", help="Also remove the records that cannot be without it, and take it out of the "
                               "others.")] = False):
        """Remove any record; refused while other records refer to it, unless --force."""
        record = find(ctx, record_id)
        removed = remove_record(state(ctx).repo, record, force)
        message = _("removed {ref} and {count} record(s) that referred to it") if removed else _("removed {ref}")
        state(ctx).say(message.format(ref=record.ref, count=len(removed)))

    @app.command("next")
    def next_(ctx: typer.Context, interaction: InteractionId,
              due: Annotated[str | None, typer.Option(
                  "--due", help="Reschedule: friday, +3d, 2026-12-01…; an empty value takes the date away.")] = None,
              action: Annotated[str | None, typer.Option("--action", help="Reword the step.")] = None):
        """Reschedule or reword the next step of an interaction (or give it one)."""
        record = set_next_step(state(ctx).repo, find(ctx, interaction, "interaction"), action, due)
        step = record.data["next"]
        state(ctx).say(_("next: {action} ({due})").format(action=step["action"], due=step.get("due") or _("no date")))

    def marking(done: bool):
        def command(ctx: typer.Context, interaction: InteractionId):
            record = mark_step(state(ctx).repo, find(ctx, interaction, "interaction"), done)
            said = _("done: {action}") if done else _("not done: {action}")
            state(ctx).say(said.format(action=record.data["next"]["action"]))

        command.__doc__ = ("Mark the next step of an interaction as done." if done else
                           "Mark the next step of an interaction as not done after all.")
        app.command("done" if done else "undone")(command)

    marking(True)
    marking(False)
