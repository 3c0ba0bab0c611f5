"""`crm ledger`: the sales ledger and its purchase twin."""

from typing import Annotated, Optional

import typer

from crmcli.cli.context import QUERY_SETTINGS, FormatOption, query_text, state


def register(app: typer.Typer) -> None:
    @app.command("ledger", context_settings=QUERY_SETTINGS)
    def ledger(
        ctx: typer.Context,
        query: Annotated[Optional[list[str]], typer.Argument(help="Only orders matching a query: 'region:华南', 'party:华强'…")] = None,
        by: Annotated[Optional[str], typer.Option("--by", help="Group by one or two of: month, quarter, year, customer, supplier, owner, product, category, region, industry, type (e.g. owner,month). Without it: one row per order.")] = None,
        period: Annotated[Optional[str], typer.Option("--period", help="2026, 2026-Q3, 2026-10, 2026-10-01..2026-12-31, last-12-months, ytd.")] = None,
        purchases: Annotated[bool, typer.Option("--purchases", help="The purchase ledger (by supplier) instead of sales.")] = False,
        counted_only: Annotated[bool, typer.Option("--counted-only", help="Only orders that count toward targets.")] = False,
        lines: Annotated[bool, typer.Option("--lines", help="One row per order line.")] = False,
        convert: Annotated[Optional[str], typer.Option("--convert", help="Convert every amount to this currency with the rates in crm.yaml.")] = None,
        fmt: FormatOption = None,
    ):
        """The sales ledger (销售台账): orders and their totals, or sums grouped and subtotalled."""
        from crmcli.reports.ledger import ledger as build

        report = build(state(ctx).repo, by=(by or "").split(","), period=period, purchases=purchases,
                       counted_only=counted_only, query=query_text(query) if query else "", lines=lines,
                       convert=convert)
        state(ctx).show(report, fmt)
