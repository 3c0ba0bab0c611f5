"""`crm order …`, `crm purchase …` (one set of commands for both directions) and `crm pay`."""

from typing import Annotated

import typer

from crmcli.cli.context import QUERY_SETTINGS, FormatOption, query_text, state, status_commands, stdin_yaml
from crmcli.i18n import _


def make_order_app(direction: str) -> typer.Typer:
    """The command group for sales orders or purchase orders."""
    other = "customer" if direction == "sale" else "supplier"
    what = "Sales orders to customers" if direction == "sale" else "Purchase orders from suppliers"
    app = typer.Typer(help=f"{what}.", no_args_is_help=True)

    def find(ctx, text):
        from crmcli.actions.orders import find_order

        return find_order(state(ctx).repo, text, direction)

    @app.command("add")
    def add(
        ctx: typer.Context,
        party: Annotated[str, typer.Argument(help=f"The {other}: id, name, prefix or pinyin.")],
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
        status: Annotated[str | None, typer.Option(help="Start as draft (default) or confirmed.")] = None,
        reference: Annotated[str | None, typer.Option(help="The other side's order number.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="Notes on the order.")] = None,
        by: Annotated[str | None, typer.Option("--by", help="Who takes it (default: me in crm.yaml).")] = None,
    ):
        """Add an order; prints its id."""
        from crmcli.actions.orders import add_order
        from crmcli.model.kinds import KINDS
        from crmcli.query.resolve import resolve_party

        repo = state(ctx).repo
        record = resolve_party(repo, party, (KINDS[other],))
        lines = line if line else stdin_yaml(_(
            "no order lines: give --line \"SKU QUANTITY [@ PRICE]\" (repeatable), or YAML lines on stdin "
            "(crm {command} add PARTY < lines.yaml)").format(command="order" if direction == "sale" else "purchase"),
            mapping=False)
        order = add_order(repo, direction, record, lines=lines, currency=currency, owner=owner, region=region,
                          day=date, special=special, counts=counts, delivery_due=delivery_due, pay_by=payment_due,
                          status=status, reference=reference, note=note, by=by)
        typer.echo(order.id)

    @app.command("list", context_settings=QUERY_SETTINGS)
    def list_(
        ctx: typer.Context,
        query: Annotated[list[str] | None, typer.Argument(
            help="A query: 'status:confirmed', 'party:华强', 'date:2026-10', 'amount>10000'…")] = None,
        open_: Annotated[bool, typer.Option(
            "--open", help="Only open orders (not closed or cancelled, or not fully paid).")] = False,
        fmt: FormatOption = None,
    ):
        """List orders, newest first."""
        from crmcli.reports.orders import order_list, orders_of

        repo = state(ctx).repo
        state(ctx).show(order_list(repo, orders_of(repo, direction, query_text(query) if query else "", open_)), fmt)

    @app.command("show")
    def show(ctx: typer.Context, order: Annotated[str, typer.Argument(help="The id (a unique prefix will do).")],
             fmt: FormatOption = None):
        """One order: lines, totals, payments, history."""
        from crmcli.reports.orders import order_view

        state(ctx).show(order_view(state(ctx).repo, find(ctx, order)), fmt)

    def move(repo, text, action, **how):
        from crmcli.actions.orders import find_order, move_order

        return move_order(repo, find_order(repo, text, direction), action, **how)

    status_commands(app, {
        "confirm": "Confirm (the review step: records who approved, --by).",
        "ship": "Mark shipped.",
        "deliver": "Mark delivered (--date when it arrived).",
        "close": "Close a delivered order.",
        "cancel": "Cancel an open order.",
    }, move)
    return app


def register(app: typer.Typer) -> None:
    app.add_typer(make_order_app("sale"), name="order",
                  help="Sales orders (销售订单): add, list, show, confirm, ship, deliver, close, cancel.")
    app.add_typer(make_order_app("purchase"), name="purchase", help="Purchase orders (采购订单), the same commands.")

    @app.command("pay")
    def pay(
        ctx: typer.Context,
        order: Annotated[str, typer.Argument(help="The order id (SO-… or PO-…; a unique prefix will do).")],
        amount: Annotated[str, typer.Argument(help="In the order's currency.")],
        date: Annotated[str | None, typer.Option("--date", help="Default today.")] = None,
        method: Annotated[str | None, typer.Option(help="bank, cash, alipay, wechat, card…")] = None,
        ref: Annotated[str | None, typer.Option("--ref", help="Bank reference, receipt number…")] = None,
        note: Annotated[str | None, typer.Option("--note", help="A note on the payment.")] = None,
        allow_overpay: Annotated[bool, typer.Option(
            "--allow-overpay", help="Accept more than is outstanding.")] = False,
    ):
        """Record a payment received (sales) or made (purchases); prints what is still outstanding."""
        from crmcli.actions.orders import find_order
        from crmcli.actions.orders import pay as record_payment

        repo = state(ctx).repo
        record = find_order(repo, order)
        left = record_payment(repo, record, amount, day=date, method=method, ref=ref, note=note,
                              allow_overpay=allow_overpay)
        typer.echo(_("{amount} {currency} outstanding").format(amount=left, currency=record.data["currency"]))
