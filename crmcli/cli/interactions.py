"""`crm log` and `crm timeline`: recording contacts and reading them back."""


import sys
from enum import StrEnum
from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import FormatOption, QueryCommand, query_text, state


class InteractionType(StrEnum):
    call = "call"
    email = "email"
    meeting = "meeting"
    visit = "visit"
    message = "message"
    note = "note"


class Outcome(StrEnum):
    positive = "positive"
    neutral = "neutral"
    negative = "negative"


class Direction(StrEnum):
    out = "out"
    in_ = "in"


def register(app: typer.Typer) -> None:
    @app.command("log")
    def log(
        ctx: typer.Context,
        party: Annotated[str, typer.Argument(
            help="The customer or supplier: id, name, prefix, pinyin or a contact's name.",
            autocompletion=complete.parties)],
        type_: Annotated[InteractionType, typer.Argument(
            metavar="TYPE", help="call, email, meeting, visit, message or note.")],
        summary: Annotated[str, typer.Argument(help="One line: what happened.")],
        at: Annotated[str | None, typer.Option(
            "--at", help="When (default now): 2026-11-20 16:30, yesterday 15:00, -2d…")] = None,
        contact: Annotated[str | None, typer.Option(
            "--contact", help="Who you spoke with (a contact of the party).")] = None,
        body: Annotated[str | None, typer.Option("--body", help="Longer notes; '-' reads them from stdin.")] = None,
        outcome: Annotated[Outcome | None, typer.Option(help="How it went: positive, neutral or negative.")] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="Repeatable.")] = None,
        direction: Annotated[Direction | None, typer.Option(
            "--direction", help="out (we reached out, the default) or in.")] = None,
        next_: Annotated[str | None, typer.Option("--next", help="The next step to take.")] = None,
        due: Annotated[str | None, typer.Option(
            "--due", help="When the next step is due: +2d, friday, 2026-12-01…")] = None,
        campaign: Annotated[str | None, typer.Option("--campaign", help="A campaign this responds to (CP-…).")] = None,
        rating: Annotated[int | None, typer.Option(
            "--rating", min=1, max=5, help="Quality rating 1–5 (a supplier's delivery or service).")] = None,
    ):
        """Record a call, email, meeting, visit, message or note; prints its id."""
        from crmcli.actions.interactions import log_interaction
        from crmcli.query.resolve import resolve_party

        repo = state(ctx).repo
        text = sys.stdin.read() if body == "-" else body
        record = resolve_party(repo, party)
        if campaign:
            from crmcli.model.kinds import KINDS
            from crmcli.query.resolve import resolve_record

            campaign = resolve_record(repo, KINDS["campaign"], campaign).ref
        logged = log_interaction(
            repo, record, type_.value, summary, at=at, contact=contact, body=text,
            outcome=outcome.value if outcome else None, tags=tag or [],
            direction=direction.value if direction else None, next_action=next_, due=due, campaign=campaign,
            rating=rating,
        )
        typer.echo(logged.id)

    @app.command("timeline", cls=QueryCommand)
    def timeline(
        ctx: typer.Context,
        query: Annotated[list[str] | None, typer.Argument(
            help="A party (id, name, prefix or pinyin), or else a query as for crm search: "
                 "'outcome:negative', 样品…")] = None,
        party: Annotated[str | None, typer.Option(
            "--party", "-p", help="Only this party: id, name, prefix or pinyin.",
            autocompletion=complete.parties)] = None,
        since: Annotated[str | None, typer.Option(help="From this day: 2026-01-01, -30d, last monday…")] = None,
        until: Annotated[str | None, typer.Option(help="Up to this day (default: today, or --today).")] = None,
        type_: Annotated[list[InteractionType] | None, typer.Option(
            "--type", help="Only this type (repeatable).")] = None,
        limit: Annotated[int | None, typer.Option(
            "--limit", "-n", min=1, help="At most this many, newest first.")] = None,
        fmt: FormatOption = None,
    ):
        """Interactions across parties, newest first."""
        from crmcli.query.resolve import named_party, resolve_party
        from crmcli.reports.timeline import timeline as build

        repo = state(ctx).repo
        record = resolve_party(repo, party) if party else None
        text = query_text(query) if query else ""
        if text and record is None:
            record = named_party(repo, text)
            text = "" if record else text
        types = [t.value for t in type_ or []]
        state(ctx).show(build(repo, text, record, since, until, types, limit), fmt)
