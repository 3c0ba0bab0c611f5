"""`crm product …` (the catalog) and `crm contract …`."""

from pathlib import Path
from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import record_commands, state, status_commands
from crmcli.cli.editor import edit_command
from crmcli.i18n import _

Id = Annotated[str, typer.Argument(help="The id (a unique prefix will do).")]


def _find(ctx, kind_name: str, text: str):
    from crmcli.model.kinds import KINDS
    from crmcli.query.resolve import resolve_record

    return resolve_record(state(ctx).repo, KINDS[kind_name], text)


def register(app: typer.Typer) -> None:
    product = typer.Typer(help="The product and service catalog (SKU, price, tax rate…).", no_args_is_help=True)
    contract = typer.Typer(
        help="Contracts from templates: new, list, show, review, sign, activate, expire, terminate, attach.",
        no_args_is_help=True)
    app.add_typer(product, name="product")
    app.add_typer(contract, name="contract")

    from crmcli.reports import records as views

    edit_command(product, "product")
    edit_command(contract, "contract")
    record_commands(product, "product", views.product_list, views.product_view, "products by SKU")
    record_commands(contract, "contract", views.contract_list, views.contract_view,
                    "contracts, those ending soonest first")

    @product.command("add")
    def product_add(
        ctx: typer.Context,
        sku: Annotated[str, typer.Argument(help="The SKU, e.g. CAB-07.")],
        name: Annotated[str, typer.Argument(help="What it is called.")],
        price: Annotated[str | None, typer.Option(help="List price per unit.")] = None,
        currency: Annotated[str | None, typer.Option(help="ISO 4217 (default: crm.yaml's).")] = None,
        unit: Annotated[str | None, typer.Option(help="reel, m, kg, hour…")] = None,
        tax_rate: Annotated[str | None, typer.Option("--tax-rate", help="13% or 0.13.")] = None,
        category: Annotated[str | None, typer.Option(
            help="A group for the ledger's --by category: cable, service…")] = None,
        supplier: Annotated[str | None, typer.Option(help="The default supplier: id, name or pinyin.",
                                                     autocompletion=complete.parties)] = None,
        inactive: Annotated[bool, typer.Option("--inactive", help="No longer sold.")] = False,
        description: Annotated[str | None, typer.Option(
            help="A longer description (the name is the short one).")] = None,
    ):
        """Add a product; prints its SKU."""
        from crmcli.actions.products import add_product
        from crmcli.model.kinds import KINDS
        from crmcli.query.resolve import resolve_party

        repo = state(ctx).repo
        source = resolve_party(repo, supplier, (KINDS["supplier"],)) if supplier else None
        record = add_product(repo, sku, name, price=price, currency=currency, unit=unit, tax_rate=tax_rate,
                             category=category, supplier=source, active=not inactive, description=description)
        typer.echo(record.id)

    @product.command("rm")
    def product_rm(ctx: typer.Context, sku: Id,
                   force: Annotated[bool, typer.Option("--force", help="Remove it even if orders name it.")] = False):
        """Remove a product (refused while orders name it, unless --force)."""
        from crmcli.actions.products import remove_product

        record = _find(ctx, "product", sku)
        remove_product(state(ctx).repo, record, force)
        state(ctx).say(_("removed {ref}").format(ref=record.ref))

    @contract.command("new")
    def contract_new(
        ctx: typer.Context,
        party: Annotated[str, typer.Argument(help="The customer or supplier.", autocompletion=complete.parties)],
        template: Annotated[str, typer.Option("--template", "-t", help="A template in templates/ (name without .md).")],
        title: Annotated[str | None, typer.Option(help="Default: the template's name and the party's.")] = None,
        value: Annotated[str | None, typer.Option(help="The contract's value.")] = None,
        currency: Annotated[str | None, typer.Option(help="ISO 4217 of --value (default: crm.yaml's).")] = None,
        start: Annotated[str | None, typer.Option(help="First day.")] = None,
        end: Annotated[str | None, typer.Option(help="Last day.")] = None,
        auto_renew: Annotated[bool, typer.Option("--auto-renew", help="Renews itself unless cancelled.")] = False,
        notice_days: Annotated[int | None, typer.Option(
            "--notice-days", min=0, help="Days of notice before the end to renew or cancel.")] = None,
    ):
        """Draft a contract from a template; prints its id (the document is contracts/<id>.md)."""
        from crmcli.actions.contracts import new_contract
        from crmcli.query.resolve import resolve_party

        repo = state(ctx).repo
        record = new_contract(repo, resolve_party(repo, party), template, title=title, value=value,
                              currency=currency, start=start, end=end, auto_renew=auto_renew, notice_days=notice_days)
        typer.echo(record.id)

    def move(repo, text, action, **how):
        from crmcli.actions.contracts import move_contract
        from crmcli.model.kinds import KINDS
        from crmcli.query.resolve import resolve_record

        return move_contract(repo, resolve_record(repo, KINDS["contract"], text), action, **how)

    status_commands(contract, {
        "review": "Send a draft for review.",
        "revise": "Back from review to draft.",
        "sign": "Mark signed (--date the day it was signed).",
        "activate": "Mark in force.",
        "expire": "Mark expired.",
        "terminate": "End it early.",
        "archive": "Archive an expired, renewed or terminated contract: kept, with its scan, read-only.",
    }, move)

    @contract.command("renew")
    def contract_renew(
        ctx: typer.Context, contract_id: Id,
        start: Annotated[str | None, typer.Option(help="The new term's first day (default: after the old one).")]
        = None,
        end: Annotated[str | None, typer.Option(help="The new term's last day (default: as long as the old one).")]
        = None,
        value: Annotated[str | None, typer.Option(help="The new term's value (default: the old one's).")] = None,
        by: Annotated[str | None, typer.Option("--by", help="Who (default: the contract's owner).")] = None,
    ):
        """Draft the next term as a new contract linked to this one, which becomes renewed; prints the new id."""
        from crmcli.actions.contracts import renew_contract

        record = renew_contract(state(ctx).repo, _find(ctx, "contract", contract_id), start=start, end=end,
                                value=value, by=by)
        typer.echo(record.id)
        state(ctx).say(_("{start} to {end}, renews {old}").format(start=record.data.get("start"),
                                                                  end=record.data.get("end"), old=contract_id))

    @contract.command("attach")
    def contract_attach(ctx: typer.Context, contract_id: Id,
                        file: Annotated[Path, typer.Argument(help="The file to keep (a signed scan…).")]):
        """Copy a file into attachments/<id>/ and record its sha256 (crm check verifies it)."""
        from crmcli.actions.contracts import attach

        entry = attach(state(ctx).repo, _find(ctx, "contract", contract_id), file)
        state(ctx).say(_("attached {path} (sha256 {sha}…)").format(path=entry["path"], sha=entry["sha256"][:12]))
