"""`crm export …`: records out to other tools."""

import typer


def register(app: typer.Typer) -> None:
    """Registered below as the export commands are written."""
