"""`crm customer …` and `crm supplier …`: one set of commands serving both party kinds."""


import sys
from enum import StrEnum
from typing import Annotated

import click
import typer

from crmcli.actions.editing import remove_record
from crmcli.actions.merge import merge_parties, plan_merge
from crmcli.actions.parties import PartyAdded, RoleOffer, add_party_or_role, retag, with_flags
from crmcli.actions.pipeline import change_lifecycle
from crmcli.cli import complete
from crmcli.cli.context import FormatOption, QueryCommand, query_text, state, stdin_yaml
from crmcli.cli.editor import SetOption, change
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.model.merging import prefer as preferring
from crmcli.query.resolve import resolve_party
from crmcli.reports.party_list import party_list
from crmcli.reports.party_view import party_view

Repeat = list[str]
PartyName = Annotated[str, typer.Argument(help="Id, name, prefix or pinyin.", autocompletion=complete.parties)]


class PartySort(StrEnum):
    name = "name"
    last = "last"
    created = "created"
    owner = "owner"


def make_party_app(kind_name: str) -> typer.Typer:
    """The command group for one party kind; customers and suppliers differ only in data."""
    app = typer.Typer(help=f"Manage {kind_name}s: add, list, show, edit, rm.", no_args_is_help=True)
    is_customer = kind_name == "customer"

    def kind():
        return KINDS[kind_name]

    def resolve(ctx, name):
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
        fields = stdin_yaml(_("no name: give one (crm {kind} add \"Acme Corp\"), or a YAML record on stdin "
                              "(crm {kind} add - < record.yaml)").format(kind=kind().name)) if name in (None, "-") \
            else {"name": name}
        options = {
            "entity": entity, "lifecycle": lifecycle, "industry": industry, "tag": tag, "owner": owner,
            "region": region, "street": street, "city": city, "province": province, "postcode": postcode,
            "country": country, "phone": phone, "email": email, "website": website, "tax-id": tax_id,
            "terms": terms, "follow-up": follow_up, "note": note,
        }
        repo, fields = state(ctx).repo, with_flags(fields, options)
        added = add_party_or_role(repo, kind(), fields, party_id, force=force, take_role=add_role)
        if isinstance(added, RoleOffer):
            if not sys.stdin.isatty():
                raise InvalidValue(_("{question} (--add-role to do so)").format(question=added.question))
            if not typer.confirm(added.question, default=True, err=True):
                raise typer.Exit(1)
            added = add_party_or_role(repo, kind(), fields, party_id, force=force, take_role=True)
        assert isinstance(added, PartyAdded)
        typer.echo(added.record.id)
        if added.took_role:
            state(ctx).say(_("{ref} is a {kind} too").format(ref=added.record.ref, kind=_(kind().name)))

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
        filters = {"tags": tag or [], "owner": owner, "region": region, "lifecycle": lifecycle}
        text = query_text(query) if query else ""
        state(ctx).show(party_list(state(ctx).repo, kind(), text, filters, sort.value), fmt)

    @app.command("show")
    def show(ctx: typer.Context, name: PartyName,
             fmt: FormatOption = None):
        """The 360° view: profile, contacts, next steps, timeline."""
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
        party = resolve(ctx, name)
        removed = remove_record(state(ctx).repo, party, force)
        message = _("removed {ref} and {count} record(s) that referred to it") if removed else _("removed {ref}")
        state(ctx).say(message.format(ref=party.ref, count=len(removed)))

    if is_customer:
        def lifecycle_command(step: int, verb: str):
            def command(ctx: typer.Context, name: PartyName,
                        to: Annotated[str | None, typer.Option("--to", help="Jump to this stage instead.")] = None,
                        note: Annotated[str | None, typer.Option("--note", help="Why, kept in the history.")] = None):
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
