"""`crm order …`, `crm purchase …` (one set of commands for both directions) and `crm pay`."""

from typing import Annotated

import typer

from crmcli.actions.orders import add_order, edit_order, find_order, move_order, order_party
from crmcli.actions.orders import pay as record_payment
from crmcli.cli import complete
from crmcli.cli.context import FormatOption, QueryCommand, query_text, state, status_commands, stdin_yaml
from crmcli.cli.numbers import NumberCommand
from crmcli.i18n import _
from crmcli.reports.orders import order_list, order_view, orders_of


def make_order_app(direction: str) -> typer.Typer:
    """The command group for sales orders or purchase orders."""
    other = "customer" if direction == "sale" else "supplier"
    what = "Sales orders to customers" if direction == "sale" else "Purchase orders from suppliers"
    app = typer.Typer(help=f"{what}.", no_args_is_help=True)

    def find(ctx, text):
        return find_order(state(ctx).repo, text, direction)

    @app.command("add")
    def add(
        ctx: typer.Context,
        party: Annotated[str, typer.Argument(help=f"The {other}: id, name, prefix or pinyin.",
                                             autocompletion=complete.parties)],
        line: Annotated[list[str] | None, typer.Option(
            "--line", "-l", help="SKU QTY [UNIT] [@ PRICE] [-DISC%] [tax RATE%], repeatable; free text with a price is "
                                 "fine. None: YAML lines on stdin.")] = None,
        currency: Annotated[str | None, typer.Option(help="ISO 4217 (default: crm.yaml's).")] = None,
        owner: Annotated[str | None, typer.Option(help="Salesperson (default: the party's owner).")] = None,
        region: Annotated[str | None, typer.Option(help="Default: the party's region.")] = None,
        date: Annotated[str | None, typer.Option("--date", help="Order date (default today).")] = None,
        special: Annotated[bool, typer.Option(
            "--special", help="A special order (kept out of sales targets unless --counts).")] = False,
        counts: Annotated[bool | None, typer.Option(
            "--counts/--no-counts", help="Counts toward sales targets.")] = None,
        delivery_due: Annotated[str | None, typer.Option("--delivery-due", help="When it must be delivered.")] = None,
        payment_due: Annotated[str | None, typer.Option(
            "--payment-due", help="Default: from the party's payment terms.")] = None,
        status: Annotated[str | None, typer.Option(
            help="Start as draft (default), submitted, confirmed, shipped (in full), delivered or completed.")] = None,
        reference: Annotated[str | None, typer.Option(help="The other side's order number.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="Notes on the order.")] = None,
        by: Annotated[str | None, typer.Option("--by", help="Who takes it (default: me in crm.yaml).")] = None,
    ):
        """Add an order; prints its id."""
        repo = state(ctx).repo
        record = order_party(repo, party, direction)
        lines = line if line else stdin_yaml(_(
            "no order lines: give --line \"SKU QUANTITY [@ PRICE]\" (repeatable), or YAML lines on stdin "
            "(crm {command} add PARTY < lines.yaml)").format(command="order" if direction == "sale" else "purchase"),
            mapping=False)
        order = add_order(repo, direction, record, lines=lines, currency=currency, owner=owner, region=region,
                          day=date, special=special, counts=counts, delivery_due=delivery_due, pay_by=payment_due,
                          status=status, reference=reference, note=note, by=by)
        typer.echo(order.id)

    @app.command("list", cls=QueryCommand)
    def list_(
        ctx: typer.Context,
        query: Annotated[list[str] | None, typer.Argument(
            help="A query: 'status:confirmed', 'party:华强', 'date:2026-10', 'amount>10000'…")] = None,
        open_: Annotated[bool, typer.Option(
            "--open", help="Only open orders (not closed or cancelled, or not fully paid).")] = False,
        fmt: FormatOption = None,
    ):
        """List orders, newest first."""
        repo = state(ctx).repo
        state(ctx).show(order_list(repo, orders_of(repo, direction, query_text(query) if query else "", open_)), fmt)

    @app.command("show")
    def show(ctx: typer.Context, order: Annotated[str, typer.Argument(help="The id (a unique prefix will do).")],
             fmt: FormatOption = None):
        """One order: lines, totals, payments, history."""
        state(ctx).show(order_view(state(ctx).repo, find(ctx, order)), fmt)

    def move(repo, text, action, **how):
        return move_order(repo, find_order(repo, text, direction), action, **how)

    status_commands(app, {
        "submit": "Submit a draft for review (under review until confirmed or sent back).",
        "revise": "Send an order under review back to draft.",
        "confirm": "Confirm (the review step: records who approved, --by).",
        "deliver": "Mark delivered (--date when it arrived).",
        "complete": "Complete a delivered order.",
        "close": "Complete a delivered order (the older name of complete).",
    }, move)
    shipping = "ship" if direction == "sale" else "receive"
    Id = Annotated[str, typer.Argument(metavar="ID", help="The id (a unique prefix will do).")]
    Note = Annotated[str | None, typer.Option("--note", help="Why (kept in the history).")]
    By = Annotated[str | None, typer.Option("--by", help="Who (default: me in crm.yaml).")]
    Day = Annotated[str | None, typer.Option("--date", help="The day it happened (default today).")]

    @app.command(shipping)
    def ship(
        ctx: typer.Context, record_id: Id, note: Note = None, by: By = None, date: Day = None,
        carrier: Annotated[str | None, typer.Option("--carrier", help="Who carries it: SF Express, DHL…")] = None,
        tracking: Annotated[str | None, typer.Option("--tracking", help="The carrier's tracking number.")] = None,
        item: Annotated[list[str] | None, typer.Option(
            "--item", help="SKU=QTY or LINE=QTY of a partial shipment, repeatable (default: all still to come).")]
        = None,
    ):
        """Record a shipment (sales) or receipt (purchases), part or all; the order is then shipped."""
        moved = move(state(ctx).repo, record_id, shipping, by=by, note=note, day=date, carrier=carrier,
                     tracking=tracking, items=item)
        state(ctx).say(_("{id}: {status}").format(id=moved.id, status=_(moved.data["status"])))

    @app.command("cancel")
    def cancel(
        ctx: typer.Context, record_id: Id, note: Note = None, by: By = None, date: Day = None,
        refund: Annotated[bool, typer.Option("--refund", help="Pay back what was paid on it.")] = False,
        credit: Annotated[bool, typer.Option(
            "--credit", help="Keep what was paid as a credit for the next order (pay --from-credit).")] = False,
    ):
        """Cancel an order not yet delivered; one holding payments needs --refund or --credit."""
        if refund and credit:
            raise typer.BadParameter(_("give --refund or --credit, not both"))
        settle = "refund" if refund else "credit" if credit else None
        moved = move(state(ctx).repo, record_id, "cancel", by=by, note=note, day=date, settle=settle)
        state(ctx).say(_("{id}: {status}").format(id=moved.id, status=_(moved.data["status"])))

    @app.command("edit")
    def edit(
        ctx: typer.Context, record_id: Id, by: By = None,
        line: Annotated[list[str] | None, typer.Option(
            "--line", "-l", help="The new lines, all of them (as in add), repeatable.")] = None,
        delivery_due: Annotated[str | None, typer.Option("--delivery-due", help="When it must be delivered.")] = None,
        payment_due: Annotated[str | None, typer.Option("--payment-due", help="When it must be paid.")] = None,
        reference: Annotated[str | None, typer.Option(help="The other side's order number.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="The order's notes.")] = None,
    ):
        """Change a draft or an order under review: lines (totals follow), due days, reference, notes."""
        repo = state(ctx).repo
        edited = edit_order(repo, find(ctx, record_id), lines=line, delivery_due=delivery_due, pay_by=payment_due,
                            reference=reference, note=note, by=by)
        state(ctx).say(_("{id}: {gross} {currency}").format(id=edited.id, gross=edited.data["totals"]["gross"],
                                                           currency=edited.data["currency"]))
    return app


def register(app: typer.Typer) -> None:
    app.add_typer(make_order_app("sale"), name="order",
                  help="Sales orders (销售订单): add, edit, list, show, submit, confirm, ship, deliver, complete, "
                       "cancel.")
    app.add_typer(make_order_app("purchase"), name="purchase",
                  help="Purchase orders (采购订单), the same commands; receive instead of ship.")

    @app.command("pay", cls=NumberCommand)
    def pay(
        ctx: typer.Context,
        order: Annotated[str, typer.Argument(help="The order id (SO-… or PO-…; a unique prefix will do).")],
        amount: Annotated[str, typer.Argument(help="In the order's currency.")],
        date: Annotated[str | None, typer.Option("--date", help="Default today.")] = None,
        method: Annotated[str | None, typer.Option(help="bank, cash, alipay, wechat, card…")] = None,
        ref: Annotated[str | None, typer.Option("--ref", help="Bank reference, receipt number…")] = None,
        note: Annotated[str | None, typer.Option("--note", help="A note on the payment.")] = None,
        allow_overpay: Annotated[bool, typer.Option(
            "--allow-overpay", help="Accept more than is outstanding (the excess is the party's credit).")] = False,
        from_credit: Annotated[bool, typer.Option(
            "--from-credit", help="Pay from the party's credit (overpayments, orders cancelled --credit).")] = False,
    ):
        """Record a payment received (sales) or made (purchases); prints what is still outstanding."""
        repo = state(ctx).repo
        record = find_order(repo, order)
        left = record_payment(repo, record, amount, day=date, method=method, ref=ref, note=note,
                              allow_overpay=allow_overpay, from_credit=from_credit)
        text = _("{amount} {currency} outstanding") if left >= 0 else _("{amount} {currency} credit")
        typer.echo(text.format(amount=abs(left), currency=record.data["currency"]))
