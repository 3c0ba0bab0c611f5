"""`crm search` and `crm reindex`."""

from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import FormatOption, QueryCommand, query_text, state
from crmcli.i18n import _


def register(app: typer.Typer) -> None:
    @app.command("search", cls=QueryCommand)
    def search(
        ctx: typer.Context,
        query: Annotated[list[str], typer.Argument(
            help="Words, \"phrases\", field:value, comparisons, OR, NOT/-; see the README.")],
        kind: Annotated[list[str] | None, typer.Option(
            "--kind", "-k", help="Only this kind of record (repeatable).",
            autocompletion=complete.record_kinds)] = None,
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most this many hits.")] = 50,
        fmt: FormatOption = None,
    ):
        """Search every record: names, contacts, addresses, notes, interactions…"""
        from crmcli.model.kinds import kind_named
        from crmcli.query.search import search as run_search
        from crmcli.reports.search_view import search_table

        repo = state(ctx).repo
        kinds = tuple(kind_named(k) for k in kind or [])
        hits, total = run_search(repo, query_text(query), kinds, limit)
        state(ctx).show(search_table(hits, total), fmt)

    @app.command("reindex")
    def reindex(ctx: typer.Context):
        """Rebuild the index from the files (it is refreshed on its own; this starts over)."""
        from crmcli.render.progress import progress_bar

        repo = state(ctx).repo
        with progress_bar(_("indexing")) as advance:
            count = repo.reindex(advance)
        state(ctx).say(_("indexed {count} files").format(count=count))
