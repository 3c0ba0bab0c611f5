"""`crm remind …`: explicit reminders, the digest for cron (print, mail, calendar)."""

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from crmcli.actions.digest import Digest, remind_due, reminders_calendar
from crmcli.actions.editing import remove_record
from crmcli.actions.reminders import add_reminder, complete_reminder, snooze_reminder
from crmcli.cli.context import OutputFormat, record_commands, state
from crmcli.cli.editor import SetOption, change, with_options
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.query.resolve import resolve_party, resolve_record
from crmcli.render import render, visible
from crmcli.render.files import write_output
from crmcli.reports.reminders import reminder_list, reminder_view

Id = Annotated[str, typer.Argument(metavar="ID", help="The reminder's id (a unique prefix will do).")]
Owner = Annotated[str | None, typer.Option("--owner", help="Only what this person owns.")]


class DigestFormat(StrEnum):
    table = "table"
    plain = "plain"
    markdown = "markdown"
    json = "json"
    jsonl = "jsonl"
    ics = "ics"


def _reminder(ctx, text: str):
    return resolve_record(state(ctx).repo, KINDS["reminder"], text)


def _text_of(result, fmt: str) -> str:
    buffer = io.StringIO()
    render(result, fmt, buffer)
    return buffer.getvalue()


def register(app: typer.Typer) -> None:
    remind = typer.Typer(help="Reminders: add, list, show, done, snooze, rm; due (for cron) and export (iCalendar).",
                         no_args_is_help=True)
    app.add_typer(remind, name="remind")

    @remind.command("add")
    def add(
        ctx: typer.Context,
        first: Annotated[str, typer.Argument(
            metavar="[PARTY] TEXT", help="What to do; a customer or supplier may come first.")],
        text: Annotated[str | None, typer.Argument(
            metavar="", show_default=False, help="The text, when a party came first.")] = None,
        due: Annotated[str, typer.Option(
            "--due", help="When: 2026-12-01, tomorrow, +3d, next monday, 'friday 15:00'.")] = "today",
        every: Annotated[str | None, typer.Option(
            "--every", help="Repeat: 2w, 1m, monday, '3rd monday', 'last friday' or an RRULE.")] = None,
        until: Annotated[str | None, typer.Option(
            "--until", help="The last day a repeating reminder may fall on.")] = None,
        owner: Annotated[str | None, typer.Option(
            "--owner", help="Whose it is (default: the party's owner, else me).")] = None,
    ):
        """Add a reminder, once or repeating: crm remind add acme "call about renewal" --due +2w."""
        repo = state(ctx).repo
        party = resolve_party(repo, first) if text is not None else None
        added = add_reminder(repo, text if text is not None else first, due, party=party, every=every,
                             until=until, owner=owner)
        typer.echo(added.id)
        due_text = _("due {due}, every {rule}") if added.data.get("every") else _("due {due}")
        state(ctx).say(due_text.format(due=added.data["due"], rule=added.data.get("every")))


    record_commands(remind, "reminder", reminder_list, reminder_view, "reminders, open ones first by due date")

    @remind.command("done")
    def done(ctx: typer.Context, reminder_id: Id):
        """Mark a reminder done; a repeating one moves on to its next day."""
        record = complete_reminder(state(ctx).repo, _reminder(ctx, reminder_id))
        data = record.data
        done_text = _("{id}: done") if data["status"] == "done" else _("{id}: next due {due}")
        state(ctx).say(done_text.format(id=record.id, due=data["due"]))

    @remind.command("edit")
    def edit(ctx: typer.Context, reminder_id: Id, set_: SetOption = None,
             text: Annotated[str | None, typer.Option("--text", help="What to do.")] = None,
             due: Annotated[str | None, typer.Option(
                 "--due", help="When: 2026-12-01, tomorrow, +3d, next monday, 'friday 15:00'.")] = None,
             every: Annotated[str | None, typer.Option(
                 "--every", help="Repeat: 2w, 1m, monday, 3rd monday…; an empty value stops it repeating.")] = None,
             owner: Annotated[str | None, typer.Option("--owner", help="Whose it is.")] = None):
        """Change a reminder: text, due day or time, repeat…; with no options, in $EDITOR."""
        change(ctx, _reminder(ctx, reminder_id), with_options(set_, {"text": text, "due": due, "every": every,
                                                                      "owner": owner}))

    @remind.command("snooze")
    def snooze(ctx: typer.Context, reminder_id: Id,
               until: Annotated[str, typer.Argument(
                   metavar="WHEN", help="The new due day or time: +2d, monday, 2026-12-01.")]):
        """Put a reminder off until later."""
        record = snooze_reminder(state(ctx).repo, _reminder(ctx, reminder_id), until)
        state(ctx).say(_("{id}: due {due}").format(id=record.id, due=record.data["due"]))

    @remind.command("rm")
    def remove(ctx: typer.Context, reminder_id: Id):
        """Remove a reminder."""
        record = _reminder(ctx, reminder_id)
        remove_record(state(ctx).repo, record)
        state(ctx).say(_("removed {ref}").format(ref=record.id))

    @remind.command("due")
    def due(
        ctx: typer.Context,
        within: Annotated[str | None, typer.Option(
            "--within", help="Also what falls due this far ahead: 1d, 1w.")] = None,
        owner: Owner = None,
        fmt: Annotated[DigestFormat | None, typer.Option(
            "--format", "-f", help="plain (the default when piped), table, markdown, json, jsonl or ics.")] = None,
        mail_to: Annotated[list[str] | None, typer.Option(
            "--mail-to", help="Mail the digest to this address instead of printing it (repeatable).")] = None,
        fail_if_due: Annotated[bool, typer.Option(
            "--fail-if-due", help="Exit 1 when anything is due (for scripts).")] = False,
    ):
        """What is due (and overdue), for cron: prints nothing and exits 0 when nothing is."""
        run = state(ctx)
        fmt_ = OutputFormat(fmt.value) if fmt and fmt != DigestFormat.ics else None

        def show(digest: Digest) -> None:
            if digest.ics is not None:
                sys.stdout.buffer.write(digest.ics)
                sys.stdout.flush()
                return
            if run.format(fmt_) in ("table", "plain", "markdown"):
                typer.echo(visible(digest.view.title or ""))
                typer.echo()
            run.show(digest.view, fmt_)

        digest = remind_due(run.repo, within, owner, mail_to=mail_to or (), ics=fmt == DigestFormat.ics,
                            text_of=_text_of, show=show)
        if digest.mailed_to and sys.stderr.isatty():
            run.say(_("mailed {count} reminder(s) to {addresses}").format(count=len(digest.items),
                                                                          addresses=", ".join(digest.mailed_to)))
        if digest.items and fail_if_due:
            raise typer.Exit(1)

    @remind.command("export")
    def export(
        ctx: typer.Context,
        ics: Annotated[Path, typer.Option("--ics", help="The calendar file to write (RFC 5545), '-' for stdout.")],
        owner: Owner = None,
    ):
        """Write reminders (VTODO) and dated events of the coming year (VEVENT) to a calendar file."""
        count, data = reminders_calendar(state(ctx).repo, owner)
        if str(ics) == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        write_output(ics, data)
        state(ctx).say(_("wrote {count} entries to {path}").format(count=count, path=ics))
