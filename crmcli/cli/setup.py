"""`crm init`: create a data directory."""


import getpass
from pathlib import Path
from typing import Annotated

import typer

from crmcli.cli.context import state
from crmcli.model.dates import local_zone
from crmcli.store.setup import default_folder, init_data_dir, system_zone_name


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        ctx: typer.Context,
        directory: Annotated[Path | None, typer.Argument(
            help="Where (default: --data-dir, $CRM_DIR, or the current folder if it is empty; . to use it anyway).")
        ] = None,
        name: Annotated[str, typer.Option("--name", help="Your business's name.")] = "My Business",
        currency: Annotated[str, typer.Option(help="Default currency (ISO 4217).")] = "CNY",
        me: Annotated[str | None, typer.Option("--me", help="Your short name, the default owner of records.")] = None,
        timezone: Annotated[str | None, typer.Option(
            help="IANA zone for times typed without one (default: this machine's).")] = None,
        no_git: Annotated[bool, typer.Option("--no-git", help="Do not create a git repository.")] = False,
    ):
        """Create a data directory: crm.yaml, the folders, contract templates, .gitignore, and a git repository."""
        run = state(ctx)
        target = directory or (Path(run.data_dir) if run.data_dir else default_folder(Path.cwd()))
        zone = timezone or system_zone_name()
        if zone:
            local_zone(zone)
        owner = me or getpass.getuser() or "me"
        for note in init_data_dir(target, name=name, currency=currency, me=owner, timezone=zone, git=not no_git):
            run.say(note)
        typer.echo(str(target))
