"""`crm show`, `crm today` and `crm check`: looking at the data as a whole."""


from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import FormatOption, state
from crmcli.i18n import _
from crmcli.model.views import Column, Table
from crmcli.render import visible


def register(app: typer.Typer) -> None:
    @app.command("show")
    def show(ctx: typer.Context,
             party: Annotated[str, typer.Argument(help="A customer or supplier: id, name, prefix or pinyin.",
                                                         autocompletion=complete.parties)],
             fmt: FormatOption = None):
        """The 360° view of a customer or supplier."""
        # lazy: each command here loads its own modules: `crm today` does without the 360° view's and the checks'
        # modules (the query language, git, collisions: about 10 ms, python -X importtime)
        from crmcli.query.resolve import resolve_party
        from crmcli.reports.party_view import party_view

        repo = state(ctx).repo
        state(ctx).show(party_view(repo, resolve_party(repo, party)), fmt)

    @app.command("today")
    def today(
        ctx: typer.Context,
        days: Annotated[int, typer.Option("--days", min=0, max=366, help="How far ahead to look.")] = 7,
        owner: Annotated[str | None, typer.Option(help="Only what this person owns.")] = None,
        fmt: FormatOption = None,
    ):
        """The agenda: every reminder overdue, due today and coming up (next steps, follow-ups,
        birthdays, renewals, deliveries, payments, deals, tickets, targets), and the latest interactions."""
        from crmcli.reports.agenda import agenda  # lazy: as in `show`

        state(ctx).show(agenda(state(ctx).repo, days, owner), fmt)

    @app.command("check")
    def check(ctx: typer.Context,
              duplicates: Annotated[bool, typer.Option(
                  "--duplicates", help="Only list likely duplicate parties, with a score.")] = False,
              signatures: Annotated[bool, typer.Option(
                  "--signatures", help="Instead: check every commit is signed by a key of allowed_signers.")] = False,
              since: Annotated[str | None, typer.Option(
                  "--since", metavar="REV", help="With --signatures: only the commits after this one.")] = None,
              fmt: FormatOption = None):
        """Validate every file: schema, ids, references, likely duplicates. Exit 1 on any error."""
        from crmcli.reports.check import run_checks, signature_problems  # lazy: as in `show`
        from crmcli.reports.duplicates import likely_duplicates

        run = state(ctx)
        if duplicates:
            run.show(likely_duplicates(run.repo), fmt)
            return
        if signatures:
            found = signature_problems(run.repo, since)
        else:
            found = run_checks(run.repo)
        if show_problems(run, found, fmt):
            raise typer.Exit(1)


def show_problems(run, problems, fmt=None) -> int:
    """Problems as `crm check` prints them (one `path:line: message` each, or a table in
    json and csv), with a count on stderr; returns how many are errors."""
    errors = sum(1 for p in problems if p.severity == "error")
    chosen = run.format(fmt)
    if chosen in ("json", "jsonl", "csv"):
        rows = [{"path": p.path, "line": p.line, "severity": p.severity, "message": p.message} for p in problems]
        columns = [Column(key, key) for key in ("path", "line", "severity", "message")]
        run.show(Table(columns, rows), fmt)
    else:
        for problem in problems:
            message = (problem.message if problem.severity == "error"
                       else _("warning: {message}").format(message=problem.message))
            typer.echo(visible(f"{problem.path}{':' + str(problem.line) if problem.line else ''}: {message}"))
    warnings = len(problems) - errors
    run.say(_("{errors} error(s), {warnings} warning(s)").format(errors=errors, warnings=warnings) if problems
            else _("no problems found"))
    return errors
