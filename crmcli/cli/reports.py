"""`crm ledger`: the sales ledger and its purchase twin."""

from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import (
    ChartOption,
    FormatOption,
    OutputOption,
    QueryCommand,
    collector_paused,
    query_text,
    state,
)
from crmcli.reports import analytics
from crmcli.reports.forecast import forecast as build_forecast
from crmcli.reports.ledger import ledger as build_ledger
from crmcli.reports.pipeline import target_list
from crmcli.reports.segments import segments as build_segments


def register(app: typer.Typer) -> None:
    @app.command("ledger", cls=QueryCommand)
    def ledger(
        ctx: typer.Context,
        query: Annotated[list[str] | None, typer.Argument(
            help="Only orders matching a query: 'region:华南', 'party:华强'…")] = None,
        by: Annotated[str | None, typer.Option(
            "--by", help="Group by one or two of: month, quarter, year, customer, supplier, owner, product, category, "
                         "region, industry, type (e.g. owner,month). Without it: one row per order.",
            autocompletion=complete.group_keys)] = None,
        period: Annotated[str | None, typer.Option(
            "--period", help="2026, 2026-Q3, 2026-10, 2026-10-01..2026-12-31, last-12-months, ytd.")] = None,
        purchases: Annotated[bool, typer.Option(
            "--purchases", help="The purchase ledger (by supplier) instead of sales.")] = False,
        counted_only: Annotated[bool, typer.Option(
            "--counted-only", help="Only orders that count toward targets.")] = False,
        lines: Annotated[bool, typer.Option("--lines", help="One row per order line.")] = False,
        convert: Annotated[str | None, typer.Option(
            "--convert", help="Convert every amount to this currency with the rates in crm.yaml.")] = None,
        fmt: FormatOption = None,
        output: OutputOption = None,
        chart: ChartOption = False,
    ):
        """The sales ledger (销售台账): orders and their totals, or sums grouped and subtotalled."""
        with collector_paused():
            report = build_ledger(state(ctx).repo, by=(by or "").split(","), period=period, purchases=purchases,
                                  counted_only=counted_only, query=query_text(query) if query else "", lines=lines,
                                  convert=convert)
            state(ctx).show(report, fmt, output=output, chart=chart)

    report = typer.Typer(help="Reports: receivables, payables, pipeline, targets, suppliers, service, segments, "
                              "forecast.",
                         no_args_is_help=True)
    app.add_typer(report, name="report")

    @report.command("receivables")
    def receivables(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None,
                    chart: ChartOption = False):
        """What customers owe, by days past due: current, 1–30, 31–60, 61–90, over 90."""
        state(ctx).show(analytics.aging(state(ctx).repo), fmt, output=output, chart=chart)

    @report.command("payables")
    def payables(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None, chart: ChartOption = False):
        """What we owe suppliers, by days past due."""
        state(ctx).show(analytics.aging(state(ctx).repo, payables=True), fmt, output=output, chart=chart)

    @report.command("pipeline")
    def pipeline(ctx: typer.Context,
                 period: Annotated[str | None, typer.Option(
                     "--period", help="For the won and lost deals: 2026, 2026-Q4, ytd…")] = None,
                 fmt: FormatOption = None, output: OutputOption = None, chart: ChartOption = False):
        """Deals per stage with amounts and weighted amounts, conversion, days in stage, won and lost."""
        state(ctx).show(analytics.pipeline(state(ctx).repo, period), fmt, output=output, chart=chart)

    @report.command("targets")
    def targets(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None, chart: ChartOption = False):
        """Each target with attainment, percentage and pace."""
        repo = state(ctx).repo
        state(ctx).show(target_list(repo, repo.records("target")), fmt, output=output, chart=chart)

    @report.command("suppliers")
    def suppliers(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None,
                  chart: ChartOption = False):
        """The supplier scorecard: spend, POs, on-time delivery, delay, quality rating, open POs."""
        state(ctx).show(analytics.suppliers(state(ctx).repo), fmt, output=output, chart=chart)

    @report.command("service")
    def service(ctx: typer.Context, fmt: FormatOption = None, output: OutputOption = None, chart: ChartOption = False):
        """Tickets by status and priority, service-level breaches, time to resolve, satisfaction."""
        state(ctx).show(analytics.service(state(ctx).repo), fmt, output=output, chart=chart)

    @report.command("segments")
    def segments(ctx: typer.Context,
                 segment: Annotated[str | None, typer.Option(
                     "--segment", help="List only this segment: lead, prospect, new, active, at-risk or lost "
                                       "(thresholds: segments in crm.yaml).")] = None,
                 fmt: FormatOption = None, output: OutputOption = None, chart: ChartOption = False):
        """Where customers stand (lead, prospect, new, active, at-risk, lost) with RFM scores, and who is
        overdue for contact."""
        state(ctx).show(build_segments(state(ctx).repo, segment), fmt, output=output, chart=chart)

    @report.command("forecast")
    def forecast(ctx: typer.Context,
                 months: Annotated[int, typer.Option("--months", help="How many months ahead.")] = 3,
                 fmt: FormatOption = None, output: OutputOption = None, chart: ChartOption = False):
        """Weighted pipeline and a trend forecast (Holt) per coming month, with a backtest."""
        state(ctx).show(build_forecast(state(ctx).repo, months), fmt, output=output, chart=chart)
