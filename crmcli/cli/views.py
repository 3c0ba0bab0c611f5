"""`crm show`, `crm today` and `crm check`: looking at the data as a whole."""


from typing import Annotated, Optional

import typer

from crmcli.cli.context import FormatOption, state


def register(app: typer.Typer) -> None:
    @app.command("show")
    def show(ctx: typer.Context, party: Annotated[str, typer.Argument(help="A customer or supplier: id, name, prefix or pinyin.")],
             fmt: FormatOption = None):
        """The 360° view of a customer or supplier."""
        from crmcli.query.resolve import resolve_party
        from crmcli.reports.party_view import party_view

        repo = state(ctx).repo
        state(ctx).show(party_view(repo, resolve_party(repo, party)), fmt)

    @app.command("today")
    def today(
        ctx: typer.Context,
        days: Annotated[int, typer.Option("--days", min=0, max=366, help="How far ahead to look.")] = 7,
        owner: Annotated[Optional[str], typer.Option(help="Only what this person owns.")] = None,
        fmt: FormatOption = None,
    ):
        """The agenda: every reminder overdue, due today and coming up (next steps, follow-ups,
        birthdays, renewals, deliveries, payments, deals, tickets, targets), and the latest interactions."""
        from crmcli.reports.agenda import agenda

        state(ctx).show(agenda(state(ctx).repo, days, owner), fmt)

    @app.command("check")
    def check(ctx: typer.Context, fmt: FormatOption = None):
        """Validate every file: schema, ids, references, likely duplicates. Exit 1 on any error."""
        from crmcli.model.views import Column, Table
        from crmcli.render import visible
        from crmcli.reports.check import run_checks

        run = state(ctx)
        problems = run_checks(run.repo)
        errors = sum(1 for p in problems if p.severity == "error")
        chosen = run.format(fmt)
        if chosen in ("json", "jsonl", "csv"):
            rows = [{"path": p.path, "line": p.line, "severity": p.severity, "message": p.message} for p in problems]
            columns = [Column(key, key) for key in ("path", "line", "severity", "message")]
            run.show(Table(columns, rows), fmt)
        else:
            for problem in problems:
                marker = "" if problem.severity == "error" else "warning: "
                typer.echo(visible(f"{problem.path}{':' + str(problem.line) if problem.line else ''}: "
                                   f"{marker}{problem.message}"))
        warnings = len(problems) - errors
        run.say(f"{errors} error(s), {warnings} warning(s)" if problems else "no problems found")
        if errors:
            raise typer.Exit(1)
