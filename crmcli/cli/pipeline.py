"""`crm deal …`, `crm target …`, `crm ticket …`, `crm campaign …`: the work around customers."""

import sys
from enum import StrEnum
from typing import Annotated

import typer

from crmcli.actions.pipeline import add_deal, lose_deal, move_deal, restage, set_target, win_deal
from crmcli.actions.service import add_campaign, add_members, open_ticket, update_ticket
from crmcli.cli import complete
from crmcli.cli.context import QueryCommand, query_text, record_commands, state
from crmcli.cli.editor import SetOption, change, edit_command, with_options
from crmcli.cli.numbers import NumberCommand
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.query.resolve import resolve_party, resolve_record
from crmcli.reports import pipeline as views

Id = Annotated[str, typer.Argument(metavar="ID", help="The id (a unique prefix will do).")]
Party = Annotated[str, typer.Argument(help="The customer or supplier: id, name, prefix or pinyin.",
                                      autocompletion=complete.parties)]


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class Channel(StrEnum):
    email = "email"
    event = "event"
    ads = "ads"
    wechat = "wechat"
    phone = "phone"


class TicketStatus(StrEnum):
    open = "open"
    in_progress = "in-progress"
    resolved = "resolved"
    closed = "closed"


def _find(ctx, kind_name: str, text: str):
    return resolve_record(state(ctx).repo, KINDS[kind_name], text)


def _party(ctx, text: str):
    return resolve_party(state(ctx).repo, text)


def register(app: typer.Typer) -> None:
    deal = typer.Typer(help="Deals in the sales pipeline: add, list, show, move, won, lost.", no_args_is_help=True)
    target = typer.Typer(help="Sales targets per owner (or the business) and period.", no_args_is_help=True)
    ticket = typer.Typer(help="Service tickets and complaints: open, update, resolve, close, list, show.",
                         no_args_is_help=True)
    campaign = typer.Typer(help="Marketing campaigns: add, add-members, list, show.", no_args_is_help=True)
    for name, group in (("deal", deal), ("target", target), ("ticket", ticket), ("campaign", campaign)):
        app.add_typer(group, name=name)


    edit_command(campaign, "campaign")
    record_commands(deal, "deal", views.deal_list, views.deal_view, "deals, open ones first by expected close date")
    record_commands(ticket, "ticket", views.ticket_list, views.ticket_view, "tickets, open ones first by due time")
    record_commands(campaign, "campaign", views.campaign_list, views.campaign_view, "campaigns")
    record_commands(target, "target", views.target_list, None,
                    "targets with attainment (orders that count toward targets), percentage and pace")

    @deal.command("add")
    def deal_add(ctx: typer.Context, party: Party, title: Annotated[str, typer.Argument(help="What the deal is.")],
                 amount: Annotated[str | None, typer.Option(help="Expected value.")] = None,
                 currency: Annotated[str | None, typer.Option(help="ISO 4217 (default: crm.yaml's).")] = None,
                 stage: Annotated[str | None, typer.Option(
                     help="A stage of crm.yaml's pipeline (default: the first).")] = None,
                 close: Annotated[str | None, typer.Option("--close", help="Expected close date.")] = None,
                 source: Annotated[str | None, typer.Option(
                     help="A campaign id (CP-…) or free text: referral, fair…")] = None,
                 owner: Annotated[str | None, typer.Option(
                     help="Who works the deal (default: the party's owner).")] = None,
                 probability: Annotated[str | None, typer.Option(
                     help="Overrides the stage's probability (0–100).")] = None):
        """Add a deal; prints its id."""
        record = add_deal(state(ctx).repo, _party(ctx, party), title, amount=amount, currency=currency, stage=stage,
                          close=close, source=source, owner=owner, probability=probability)
        typer.echo(record.id)

    @deal.command("move")
    def deal_move(ctx: typer.Context, deal_id: Id, stage: Annotated[str, typer.Argument(help="The new stage.")],
                  note: Annotated[str | None, typer.Option("--note", help="Why, kept in the deal's history.")] = None):
        """Move a deal to another stage (kept in its history)."""
        record = move_deal(state(ctx).repo, _find(ctx, "deal", deal_id), stage, note=note)
        state(ctx).say(_("{id}: {stage}").format(id=record.id, stage=_(record.data["stage"])))

    @deal.command("won")
    def deal_won(ctx: typer.Context, deal_id: Id,
                 order: Annotated[bool, typer.Option(
                     "--order", help="Also make the sales order for its amount.")] = False,
                 note: Annotated[str | None, typer.Option("--note", help="Why, kept in the deal's history.")] = None):
        """Close a deal as won (with --order, make its sales order); prints the order id if made."""
        record, made = win_deal(state(ctx).repo, _find(ctx, "deal", deal_id), order, note)
        state(ctx).say(_("{id}: won").format(id=record.id))
        if made:
            typer.echo(made.id)

    @deal.command("lost")
    def deal_lost(ctx: typer.Context, deal_id: Id,
                  reason: Annotated[str, typer.Option("--reason", help="Why it was lost (required).")]):
        """Close a deal as lost, with the reason."""
        record = lose_deal(state(ctx).repo, _find(ctx, "deal", deal_id), reason)
        state(ctx).say(_("{id}: lost").format(id=record.id))

    @deal.command("edit")
    def deal_edit(ctx: typer.Context, deal_id: Id, set_: SetOption = None,
                  title: Annotated[str | None, typer.Option("--title", help="What the deal is.")] = None,
                  amount: Annotated[str | None, typer.Option("--amount", help="Expected value.")] = None,
                  currency: Annotated[str | None, typer.Option("--currency", help="ISO 4217: CNY, EUR…")] = None,
                  close: Annotated[str | None, typer.Option(
                      "--close", help="Expected close date: 2026-12-20, 'next friday', +2w…")] = None,
                  stage: Annotated[str | None, typer.Option(
                      "--stage", help="Move it to this stage of the pipeline (kept in its history).")] = None,
                  probability: Annotated[str | None, typer.Option(
                      "--probability", help="Overrides the stage's probability (0–100).")] = None,
                  owner: Annotated[str | None, typer.Option("--owner", help="Who works it.")] = None):
        """Change a deal: amount, close date, stage, title…; with no options, in $EDITOR."""
        record = _find(ctx, "deal", deal_id)
        friendly = {"title": title, "currency": currency, "amount": amount, "close": close,
                    "probability": probability, "owner": owner}
        adjust = restage(state(ctx).repo, record, stage) if stage else None
        change(ctx, record, with_options(set_, friendly), adjust, what=f"stage {stage}" if stage else None)

    @target.command("set", cls=NumberCommand)
    def target_set(ctx: typer.Context,
                   owner: Annotated[str, typer.Argument(
                       help="Whose target: an owner, or 'all' for the whole business.")],
                   period: Annotated[str, typer.Argument(help="2026, 2026-Q4 or 2026-11.")],
                   amount: Annotated[str, typer.Argument(help="Net sales to reach.")],
                   currency: Annotated[str | None, typer.Option(help="ISO 4217 (default: crm.yaml's).")] = None):
        """Set (or change) a sales target."""
        record = set_target(state(ctx).repo, owner, period, amount, currency)
        state(ctx).say(_("target {id}: {amount} {currency}").format(id=record.id, amount=record.data["amount"],
                                                                   currency=record.data["currency"]))

    @ticket.command("open")
    def ticket_open(ctx: typer.Context, party: Party, subject: Annotated[str, typer.Argument(help="What it is about.")],
                    priority: Annotated[Priority, typer.Option(
                        help="Sets the due time from crm.yaml's service levels.")] = Priority.normal,
                    body: Annotated[str | None, typer.Option(
                        "--body", help="Details; '-' reads them from stdin.")] = None,
                    category: Annotated[str | None, typer.Option(help="complaint, question, repair, return…")] = None,
                    contact: Annotated[str | None, typer.Option(
                        help="The party's contact who raised it: one of its contacts, by name or #N.")] = None):
        """Open a ticket; prints its id."""
        text = sys.stdin.read() if body == "-" else body
        record = open_ticket(state(ctx).repo, _party(ctx, party), subject, priority=priority.value, body=text,
                             category=category, contact=contact)
        typer.echo(record.id)

    @ticket.command("update")
    def ticket_update(ctx: typer.Context, ticket_id: Id,
                      status: Annotated[TicketStatus | None, typer.Option(
                          help="open or in-progress (resolve and close have their commands).")] = None,
                      note: Annotated[str | None, typer.Option(
                          "--note", help="What was done, kept in the ticket's history.")] = None):
        """Change a ticket's status or add a note to its history."""
        record = update_ticket(state(ctx).repo, _find(ctx, "ticket", ticket_id),
                               status=status.value if status else None, note=note)
        state(ctx).say(_("{id}: {status}").format(id=record.id, status=_(record.data["status"])))

    @ticket.command("resolve")
    def ticket_resolve(ctx: typer.Context, ticket_id: Id,
                       resolution: Annotated[str, typer.Option("--resolution", help="What was done.")],
                       note: Annotated[str | None, typer.Option(
                           "--note", help="What was done, kept in the ticket's history.")] = None):
        """Resolve a ticket with what was done."""
        record = update_ticket(state(ctx).repo, _find(ctx, "ticket", ticket_id), status="resolved",
                               resolution=resolution, note=note)
        state(ctx).say(_("{id}: resolved").format(id=record.id))

    @ticket.command("close")
    def ticket_close(ctx: typer.Context, ticket_id: Id,
                     satisfaction: Annotated[int | None, typer.Option(
                         "--satisfaction", help="The customer's rating, 1–5.")] = None,
                     note: Annotated[str | None, typer.Option(
                         "--note", help="What was done, kept in the ticket's history.")] = None):
        """Close a resolved ticket, with the customer's satisfaction."""
        record = update_ticket(state(ctx).repo, _find(ctx, "ticket", ticket_id), status="closed",
                               satisfaction=satisfaction, note=note)
        state(ctx).say(_("{id}: closed").format(id=record.id))

    @ticket.command("edit")
    def ticket_edit(ctx: typer.Context, ticket_id: Id, set_: SetOption = None,
                    subject: Annotated[str | None, typer.Option("--subject", help="What it is about.")] = None,
                    priority: Annotated[Priority | None, typer.Option("--priority", help="low … urgent.")] = None,
                    due: Annotated[str | None, typer.Option(
                        "--due", help="When it must be resolved: tomorrow 17:00, +2d, 2026-12-01…")] = None,
                    category: Annotated[str | None, typer.Option(
                        "--category", help="complaint, question, repair, return…")] = None,
                    owner: Annotated[str | None, typer.Option("--owner", help="Who handles it.")] = None):
        """Change a ticket: subject, priority, due time…; with no options, in $EDITOR."""
        friendly = {"subject": subject, "priority": priority.value if priority else None, "due": due,
                    "category": category, "owner": owner}
        change(ctx, _find(ctx, "ticket", ticket_id), with_options(set_, friendly))

    @campaign.command("add")
    def campaign_add(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The campaign's name.")],
                     channel: Annotated[Channel, typer.Option(help="email, event, ads, wechat or phone.")],
                     start: Annotated[str | None, typer.Option(help="First day (2026-10-15, +3d…).")] = None,
                     end: Annotated[str | None, typer.Option(help="Last day.")] = None,
                     budget: Annotated[str | None, typer.Option(help="What it costs, in --currency.")] = None,
                     currency: Annotated[str | None, typer.Option(help="ISO 4217 (default: crm.yaml's).")] = None):
        """Add a campaign; prints its id."""
        record = add_campaign(state(ctx).repo, name, channel.value, start=start, end=end, budget=budget,
                              currency=currency)
        typer.echo(record.id)

    @campaign.command("add-members", cls=QueryCommand)
    def campaign_members(ctx: typer.Context, campaign_id: Id,
                         query: Annotated[list[str], typer.Argument(
                             help="Parties to add: a query such as 'kind:customer tag:vip'.")]):
        """Add the customers and suppliers that match a query."""
        added, matched = add_members(state(ctx).repo, _find(ctx, "campaign", campaign_id), query_text(query))
        state(ctx).say(_("{added} member(s) added ({matched} matched)").format(added=added, matched=matched))
