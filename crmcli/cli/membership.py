"""`crm points PARTY [join|redeem N]`: a member's points, joining, redeeming."""

from enum import StrEnum
from typing import Annotated

import typer

from crmcli.actions.membership import join, redeem
from crmcli.cli.context import FormatOption, state
from crmcli.cli.numbers import NumberCommand
from crmcli.i18n import _
from crmcli.query.resolve import resolve_party
from crmcli.reports.points import points_view


class Action(StrEnum):
    SHOW = "show"
    JOIN = "join"
    REDEEM = "redeem"


def register(app: typer.Typer) -> None:
    @app.command("points", cls=NumberCommand)
    def points(ctx: typer.Context,
               party: Annotated[str, typer.Argument(help="A customer or supplier: id, name, prefix or pinyin.")],
               action: Annotated[Action, typer.Argument(
                   help="show (the history and balance), join (become a member) or redeem N points.")] = Action.SHOW,
               amount: Annotated[str | None, typer.Argument(metavar="N", help="Points to redeem.")] = None,
               note: Annotated[str | None, typer.Option("--note", help="What the points were redeemed for.")] = None,
               number: Annotated[str | None, typer.Option(
                   "--number", help="The member number on join (default: the next free one).")] = None,
               since: Annotated[str | None, typer.Option(
                   "--since", help="On join: the day membership starts (default today); orders completed from "
                                   "then on earn points.")] = None,
               fmt: FormatOption = None):
        """Loyalty points of a member: history and balance; join makes a party a member, redeem N takes points off."""
        repo = state(ctx).repo
        record = resolve_party(repo, party)
        if action is Action.JOIN:
            joined = join(repo, record, number, since)
            state(ctx).say(_("{id}: member {number}").format(id=joined.id, number=joined.data["membership"]["number"]))
            return
        if action is Action.REDEEM:
            if amount is None:
                raise typer.BadParameter(_("say how many points: crm points PARTY redeem N"), param_hint="N")
            taken, left = redeem(repo, record, amount, note)
            state(ctx).say(_("{id}: {points} point(s) redeemed, {balance} left").format(
                id=record.id, points=taken, balance=left))
            return

        state(ctx).show(points_view(repo, record), fmt)
