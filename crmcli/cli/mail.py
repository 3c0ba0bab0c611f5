"""`crm mail import` and `crm mail log`: email becomes interactions."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from crmcli.cli.context import FormatOption, state
from crmcli.i18n import _
from crmcli.io.mailimport import Options, import_mail, log_one, read_message
from crmcli.io.mailsources import open_source
from crmcli.render.progress import progress_bar


class Create(StrEnum):
    leads = "leads"


ByDomainOption = Annotated[bool, typer.Option(
    "--by-domain", help="Also match an address by its domain: a party's website or own email domain.")]
AttachmentsOption = Annotated[bool, typer.Option(
    "--attachments", help="Save attachments under attachments/<id>/ (each up to 25 MB).")]
CreateOption = Annotated[Create | None, typer.Option(
    "--create", help="leads: make unknown senders leads, under a company named after their domain.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Show what would be logged; write nothing.")]


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Log email as interactions: from a Maildir, mbox or IMAP, or one message from the "
                             "mail client.", no_args_is_help=True)
    app.add_typer(group, name="mail")

    @group.command("import")
    def import_(
        ctx: typer.Context,
        source: Annotated[str, typer.Argument(
            help="A Maildir folder, an mbox file, or imaps://user@host/INBOX (imap:// on loopback only).")],
        since: Annotated[str | None, typer.Option(
            "--since", help="Only mail from this day on: 7d, 2w, 2026-11-01…")] = None,
        by_domain: ByDomainOption = False,
        attachments: AttachmentsOption = False,
        create: CreateOption = None,
        password_env: Annotated[str, typer.Option(
            "--password-env", help="IMAP: the environment variable holding the password (else the system "
                                   "keyring's, service crm, user USER@HOST).")] = "CRM_MAIL_PASSWORD",
        dry_run: DryRunOption = False,
        fmt: FormatOption = None,
    ):
        """Log every email to or from a known address; unknown senders are listed at the end."""
        run = state(ctx)
        options = Options(since, by_domain, attachments, create is not None, dry_run)
        opened = open_source(source, run.repo, password_env)
        try:
            with progress_bar(_("reading {source}").format(source=opened.name)) as advance:
                outcome = import_mail(run.repo, opened, options, advance)
        finally:
            opened.close()
        for refused in outcome.refused:
            run.say(_("{source}: message {key}: refused: {reason}").format(
                source=outcome.source, key=refused["message"], reason=refused["reason"]))
        run.show(outcome.view(), fmt)

    @group.command("log")
    def log(ctx: typer.Context,
            message: Annotated[Path | None, typer.Argument(
                metavar="[FILE]", help="A message file (.eml); default: the message on stdin.")] = None,
            by_domain: ByDomainOption = False, attachments: AttachmentsOption = False,
            create: CreateOption = None, dry_run: DryRunOption = False):
        """Log one message read on stdin (a mutt/neomutt pipe-message, an aerc :pipe); prints its id."""
        run = state(ctx)
        data = read_message(message) if message is not None and str(message) != "-" else sys.stdin.buffer.read()
        logged, new = log_one(run.repo, data, Options(None, by_domain, attachments, create is not None, dry_run))
        if not new:
            run.say(_("already logged"))
        typer.echo(logged)
