"""`crm access`: keys and roles for the protected fields (see README "Sharing and permissions")."""

from pathlib import Path
from typing import Annotated

import typer

from crmcli.cli.context import FormatOption, state
from crmcli.cli.views import show_problems
from crmcli.i18n import _

ROLE = Annotated[str, typer.Argument(help="A role of crm.yaml's access.roles: owner, sales, finance…")]
KEY = Annotated[str, typer.Argument(help="A member's public key: age1… or 'ssh-ed25519 AAAA…'.")]


def _say(ctx: typer.Context, notes: list[str]) -> None:
    for note in notes:
        state(ctx).say(note)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Who reads the protected fields: your key, the roles' members, re-sealing.",
                        no_args_is_help=True)
    app.add_typer(group, name="access")

    @group.command("init")
    def init(ctx: typer.Context):
        """Make your key (kept in $XDG_CONFIG_HOME/crm/, never in the repository) and print its public key."""
        from crmcli.actions.access import init as make

        _say(ctx, make(state(ctx).repo))

    @group.command("add")
    def add(ctx: typer.Context, role: ROLE, key: KEY):
        """Let KEY read what ROLE reads: re-seals the protected values of that role for it."""
        from crmcli.actions.access import change

        _say(ctx, change(state(ctx).repo, role, key, add=True))

    @group.command("remove")
    def remove(ctx: typer.Context, role: ROLE, key: KEY):
        """Take KEY out of ROLE and re-seal every protected value for the remaining readers."""
        from crmcli.actions.access import change

        _say(ctx, change(state(ctx).repo, role, key, add=False))

    @group.command("rotate")
    def rotate(ctx: typer.Context):
        """Encrypt every protected value afresh for its readers of today."""
        from crmcli.actions.access import rotate as rotate_all

        _say(ctx, rotate_all(state(ctx).repo))

    @group.command("list")
    def listing(ctx: typer.Context, fmt: FormatOption = None):
        """Every role, its members' public keys (yours marked) and the fields it reads."""
        from crmcli.actions.access import listing as rows
        from crmcli.model.views import Column, Table

        columns = [Column(key, key) for key in ("role", "key", "you", "fields")]
        state(ctx).show(Table(columns, rows(state(ctx).repo)), fmt)

    @group.command("check")
    def check(ctx: typer.Context, fmt: FormatOption = None):
        """Every protected value encrypted for exactly the roles the rules give; exit 1 if not."""
        from crmcli.actions.access import check as problems_of

        run = state(ctx)
        if show_problems(run, problems_of(run.repo), fmt):
            raise typer.Exit(1)

    @app.command("backup")
    def backup(ctx: typer.Context,
               file: Annotated[Path, typer.Argument(help="Where to write the backup (readable by you only).")]):
        """Write the whole repository, every branch and all history, as a git bundle encrypted to the owner role."""
        from crmcli.store.backup import backup as write_backup

        head = write_backup(state(ctx).repo, file)
        state(ctx).say(_("backed up {commit} to {path}").format(commit=head[:12], path=file))

    @app.command("restore")
    def restore(ctx: typer.Context,
                file: Annotated[Path, typer.Argument(help="A backup written by crm backup.")],
                folder: Annotated[Path, typer.Argument(help="A new or empty folder to restore into.")]):
        """Bring a backup back into FOLDER with an owner's key, and verify it (git bundle verify, git fsck)."""
        from crmcli.store.backup import restore as bring_back

        head = bring_back(file, folder)
        state(ctx).say(_("restored {commit} into {path}").format(commit=head[:12], path=folder))
