"""`crm contact …`: the people at a customer or supplier."""


from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import FormatOption, state
from crmcli.i18n import _

Party = Annotated[str, typer.Argument(help="The customer or supplier: id, name, prefix or pinyin.",
                                      autocompletion=complete.parties)]
ContactName = Annotated[str, typer.Argument(help="The contact's name (or #N, its position).")]


def _party(ctx, name):
    from crmcli.query.resolve import resolve_party

    return resolve_party(state(ctx).repo, name)


def register(app: typer.Typer) -> None:
    contact = typer.Typer(help="Manage the contacts (people) of customers and suppliers.", no_args_is_help=True)
    app.add_typer(contact, name="contact")

    @contact.command("add")
    def add(
        ctx: typer.Context,
        party: Party,
        name: Annotated[str, typer.Argument(help="The contact's name.")],
        title: Annotated[str | None, typer.Option(help="Job title: 采购经理, CFO…")] = None,
        phone: Annotated[list[str] | None, typer.Option("--phone", help="Repeatable.")] = None,
        email: Annotated[list[str] | None, typer.Option("--email", help="Repeatable.")] = None,
        wechat: Annotated[str | None, typer.Option(help="WeChat id.")] = None,
        birthday: Annotated[str | None, typer.Option(help="YYYY-MM-DD, or MM-DD when the year is unknown.")] = None,
        note: Annotated[str | None, typer.Option("--note", help="Free notes on the contact.")] = None,
        primary: Annotated[bool, typer.Option("--primary", help="Make this the primary contact.")] = False,
    ):
        """Add a contact to a party."""
        from crmcli.actions.contacts import add_contact

        record = _party(ctx, party)
        fields = {"name": name, "title": title, "phones": phone, "emails": email, "wechat": wechat,
                  "birthday": birthday, "notes": note}
        add_contact(state(ctx).repo, record, fields, primary)
        state(ctx).say(_("added {name} to {ref}").format(name=name, ref=record.ref))

    @contact.command("list")
    def list_(ctx: typer.Context,
              party: Annotated[str | None, typer.Argument(help="Only this party's contacts.")] = None,
              fmt: FormatOption = None):
        """List contacts, of one party or of all."""
        from crmcli.reports.contact_list import contact_list

        record = _party(ctx, party) if party else None
        state(ctx).show(contact_list(state(ctx).repo, record), fmt)

    @contact.command("edit")
    def edit(
        ctx: typer.Context,
        party: Party,
        name: ContactName,
        set_: Annotated[list[str] | None, typer.Option(
            "--set", help="FIELD=VALUE (repeatable): title, phones, emails, wechat, birthday, notes…")] = None,
        primary: Annotated[bool, typer.Option("--primary", help="Make this the primary contact.")] = False,
    ):
        """Change a contact's fields."""
        from crmcli.actions.contacts import edit_contact
        from crmcli.errors import InvalidValue

        if not set_ and not primary:
            raise InvalidValue(_("nothing to change: give --set FIELD=VALUE or --primary"))
        record = _party(ctx, party)
        changed = edit_contact(state(ctx).repo, record, name, set_ or [], primary)
        state(ctx).say(_("updated {name} at {ref}").format(name=changed["name"], ref=record.ref))

    @contact.command("rm")
    def rm(ctx: typer.Context, party: Party, name: ContactName):
        """Remove a contact from a party."""
        from crmcli.actions.contacts import remove_contact

        record = _party(ctx, party)
        removed = remove_contact(state(ctx).repo, record, name)
        state(ctx).say(_("removed {name} from {ref}").format(name=removed["name"], ref=record.ref))
