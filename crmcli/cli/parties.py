"""`crm customer …` and `crm supplier …`: one set of commands serving both party kinds."""


from enum import StrEnum
from typing import Annotated

import click
import typer

from crmcli.cli import complete
from crmcli.cli.context import FormatOption, QueryCommand, query_text, state, stdin_yaml
from crmcli.cli.editor import SetOption
from crmcli.i18n import _

Repeat = list[str]
PartyName = Annotated[str, typer.Argument(help="Id, name, prefix or pinyin.", autocompletion=complete.parties)]


class PartySort(StrEnum):
    name = "name"
    last = "last"
    created = "created"
    owner = "owner"


def _offer_role(ctx, kind, name: str, party_id: str | None, accepted: bool) -> bool:
    """When the party to add exists under the other kind (a supplier becoming a customer),
    offer to add the role to it instead of making a twin; True when it did (prints its id).
    Refused without --add-role when no one can be asked."""
    import sys

    from crmcli.actions.parties import add_role, twin_of
    from crmcli.errors import InvalidValue

    repo = state(ctx).repo
    twin = twin_of(repo, kind, name, party_id) if name.strip() else None
    if twin is None:
        return False
    question = _("{name} is already a {other} ({ref}): make it a {kind} too, one party with both roles?").format(
        name=twin.title, other=_(twin.kind.name), ref=twin.ref, kind=_(kind.name))
    if not accepted:
        if not sys.stdin.isatty():
            raise InvalidValue(_("{question} (--add-role to do so)").format(question=question))
        if not typer.confirm(question, default=True, err=True):
            raise typer.Exit(1)
    add_role(repo, twin, kind.name)
    typer.echo(twin.id)
    state(ctx).say(_("{ref} is a {kind} too").format(ref=twin.ref, kind=_(kind.name)))
    return True


def make_party_app(kind_name: str) -> typer.Typer:
    """The command group for one party kind; customers and suppliers differ only in data."""
    app = typer.Typer(help=f"Manage {kind_name}s: add, list, show, edit, rm.", no_args_is_help=True)
    is_customer = kind_name == "customer"

    def kind():
        from crmcli.model.kinds import KINDS

        return KINDS[kind_name]

    def resolve(ctx, name):
        from crmcli.query.resolve import resolve_party

        return resolve_party(state(ctx).repo, name, (kind(),))

    @app.command("add")
    def add(
        ctx: typer.Context,
        name: Annotated[str | None, typer.Argument(
            help="The name; '-' or none to read a YAML record from stdin.")] = None,
        party_id: Annotated[str | None, typer.Option(
            "--id", help="The id (default: a slug of the name, pinyin for Chinese).")] = None,
        entity: Annotated[str | None, typer.Option(help="company or person.")] = None,
        lifecycle: Annotated[str | None, typer.Option(
            help="lead, prospect, customer or inactive (customers only).", hidden=not is_customer)] = None,
        industry: Annotated[str | None, typer.Option(help="Industry or trade: electronics, 制造…")] = None,
        tag: Annotated[Repeat | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
        owner: Annotated[str | None, typer.Option(help="Who looks after it (default: `me` in crm.yaml).")] = None,
        region: Annotated[str | None, typer.Option(help="Sales region: 华南, EMEA…")] = None,
        street: Annotated[str | None, typer.Option(help="Street and number of the address.")] = None,
        city: Annotated[str | None, typer.Option(help="City of the address.")] = None,
        province: Annotated[str | None, typer.Option(help="Province or state of the address.")] = None,
        postcode: Annotated[str | None, typer.Option(help="Postcode of the address.")] = None,
        country: Annotated[str | None, typer.Option(help="ISO 3166 code: CN, DE, US…")] = None,
        phone: Annotated[Repeat | None, typer.Option("--phone", help="A phone number (repeatable).")] = None,
        email: Annotated[Repeat | None, typer.Option("--email", help="An email address (repeatable).")] = None,
        website: Annotated[str | None, typer.Option(help="Web site address.")] = None,
        tax_id: Annotated[str | None, typer.Option("--tax-id", help="Tax or VAT id (统一社会信用代码…).")] = None,
        terms: Annotated[str | None, typer.Option(
            "--terms", help="Payment terms: net 30, 30 days end of month, prepaid…")] = None,
        follow_up: Annotated[str | None, typer.Option("--follow-up", help="Contact cadence: 14d, 2w, 1m…")] = None,
        note: Annotated[str | None, typer.Option("--note", help="Free notes.")] = None,
        add_role: Annotated[bool, typer.Option(
            "--add-role", help=f"If a {'supplier' if is_customer else 'customer'} of that id or name exists, make it "
                               f"a {kind_name} too (asked on a terminal) instead of refusing a twin.")] = False,
        force: Annotated[bool, typer.Option(
            "--force", help="Add it even if crm check --duplicates would call it a likely duplicate.")] = False,
    ):
        """Add a customer or supplier; prints its id. Refused when it looks like one already there."""
        from crmcli.actions.parties import add_party, with_flags
        fields = stdin_yaml(_("no name: give one (crm {kind} add \"Acme Corp\"), or a YAML record on stdin "
                              "(crm {kind} add - < record.yaml)").format(kind=kind().name)) if name in (None, "-") \
            else {"name": name}
        if _offer_role(ctx, kind(), str(fields.get("name") or ""), party_id or fields.get("id"), add_role):
            return
        options = {
            "entity": entity, "lifecycle": lifecycle, "industry": industry, "tag": tag, "owner": owner,
            "region": region, "street": street, "city": city, "province": province, "postcode": postcode,
            "country": country, "phone": phone, "email": email, "website": website, "tax-id": tax_id,
            "terms": terms, "follow-up": follow_up, "note": note,
        }
        record = add_party(state(ctx).repo, kind(), with_flags(fields, options), party_id, force=force)
        typer.echo(record.id)

    @app.command("list", cls=QueryCommand)
    def list_(
        ctx: typer.Context,
        query: Annotated[list[str] | None, typer.Argument(
            help="A query, as for crm search: 'tag:vip city:深圳', '-lifecycle:inactive'…")] = None,
        tag: Annotated[Repeat | None, typer.Option(
            "--tag", help="Only those with this tag (repeatable: all must match).")] = None,
        owner: Annotated[str | None, typer.Option(help="Only those this owner looks after.")] = None,
        region: Annotated[str | None, typer.Option(help="Only those in this region.")] = None,
        lifecycle: Annotated[str | None, typer.Option(
            help="Only those at this lifecycle stage: lead, prospect, customer or inactive.",
            hidden=not is_customer)] = None,
        sort: Annotated[PartySort, typer.Option(
            "--sort", help="name (Chinese names by pinyin), last (longest without contact first), created (newest "
                           "first) or owner.")] = PartySort.name,
        fmt: FormatOption = None,
    ):
        """List them, sorted by name (Chinese names by pinyin) unless --sort says otherwise."""
        from crmcli.reports.party_list import party_list

        filters = {"tags": tag or [], "owner": owner, "region": region, "lifecycle": lifecycle}
        text = query_text(query) if query else ""
        state(ctx).show(party_list(state(ctx).repo, kind(), text, filters, sort.value), fmt)

    @app.command("show")
    def show(ctx: typer.Context, name: PartyName,
             fmt: FormatOption = None):
        """The 360° view: profile, contacts, next steps, timeline."""
        from crmcli.reports.party_view import party_view

        state(ctx).show(party_view(state(ctx).repo, resolve(ctx, name)), fmt)

    @app.command("edit")
    def edit(
        ctx: typer.Context,
        name: PartyName,
        set_: SetOption = None,
        add_tag: Annotated[Repeat | None, typer.Option("--add-tag", help="Add this tag (repeatable).")] = None,
        rm_tag: Annotated[Repeat | None, typer.Option("--rm-tag", help="Take this tag away (repeatable).")] = None,
    ):
        """Change fields with --set/--add-tag/--rm-tag, or with no flags in $EDITOR."""
        from crmcli.actions.parties import retag
        from crmcli.cli.editor import change

        party = resolve(ctx, name)
        adjust = retag(party, add_tag or [], rm_tag or []) if add_tag or rm_tag else None
        change(ctx, party, set_, adjust, what=", ".join([*(set_ or []), *(f"+{t}" for t in add_tag or []),
                                                       *(f"-{t}" for t in rm_tag or [])]))

    @app.command("rm")
    def rm(
        ctx: typer.Context,
        name: PartyName,
        force: Annotated[bool, typer.Option("--force", help="Also remove the records that cannot be without it, and "
                                                            "take it out of the others.")] = False,
    ):
        """Remove one; refused while other records refer to it, unless --force."""
        from crmcli.actions.editing import remove_record

        party = resolve(ctx, name)
        removed = remove_record(state(ctx).repo, party, force)
        message = _("removed {ref} and {count} record(s) that referred to it") if removed else _("removed {ref}")
        state(ctx).say(message.format(ref=party.ref, count=len(removed)))

    if is_customer:
        def lifecycle_command(step: int, verb: str):
            def command(ctx: typer.Context, name: PartyName,
                        to: Annotated[str | None, typer.Option("--to", help="Jump to this stage instead.")] = None,
                        note: Annotated[str | None, typer.Option("--note", help="Why, kept in the history.")] = None):
                from crmcli.actions.pipeline import change_lifecycle

                party = change_lifecycle(state(ctx).repo, resolve(ctx, name), step, to, note)
                state(ctx).say(_("{id}: {stage}").format(id=party.id, stage=_(party.data["lifecycle"])))

            command.__doc__ = f"{verb} a customer along lead → prospect → customer → inactive (history kept)."
            app.command("promote" if step > 0 else "demote")(command)

        lifecycle_command(1, "Move forward")
        lifecycle_command(-1, "Move back")
    return app


def register(app: typer.Typer) -> None:
    app.add_typer(make_party_app("customer"), name="customer", help="Manage customers (客户).")
    app.add_typer(make_party_app("supplier"), name="supplier", help="Manage suppliers (供应商).")

    @app.command("merge")
    def merge(
        ctx: typer.Context,
        party_a: Annotated[str, typer.Argument(metavar="PARTY_A", help="The party that stays.",
                                               autocompletion=complete.parties)],
        party_b: Annotated[str, typer.Argument(metavar="PARTY_B", help="The duplicate, folded into A and removed.",
                                               autocompletion=complete.parties)],
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")] = False,
        prefer: Annotated[str | None, typer.Option(
            "--prefer", help="When a field differs, keep A's (a) or B's (b) value; else asked on a terminal.")] = None,
        fmt: FormatOption = None,
    ):
        """Fold PARTY_B into PARTY_A: contacts, tags, external ids and notes combined, every record
        that names B pointed at A, B removed."""
        import sys

        from crmcli.actions.merge import merge_parties, plan_merge
        from crmcli.model.merging import prefer as preferring
        from crmcli.query.resolve import resolve_party

        run = state(ctx)
        a, b = resolve_party(run.repo, party_a), resolve_party(run.repo, party_b)
        decide = preferring(prefer)
        if decide is None and not dry_run and sys.stdin.isatty():
            def decide(conflict):
                return typer.prompt(_("{field}: keep A's {a!r} (a) or B's {b!r} (b)?").format(
                                    field=conflict.field, a=conflict.a, b=conflict.b),
                                    type=click.Choice(["a", "b"]), err=True)
        plan = plan_merge(run.repo, a, b, decide)
        if dry_run:
            run.show(plan.view(), fmt)
            return
        merge_parties(run.repo, plan)
        run.say(_("merged {b} into {a}; {count} record(s) now point at {a}").format(b=b.ref, a=a.ref,
                                                                                   count=len(plan.moved)))
