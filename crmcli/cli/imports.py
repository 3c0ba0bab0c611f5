"""`crm import csv|xlsx|vcard`: bring records in from other tools' files."""

from pathlib import Path
from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import FormatOption, state
from crmcli.i18n import _

FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="The file to import.")]
KindOption = Annotated[str, typer.Option(
    "--kind", "-k", help="customer, supplier, contact, interaction, product, order or purchase.",
    autocompletion=complete.import_kinds)]
MapOption = Annotated[str | None, typer.Option(
    "--map", "-m", help="COLUMN=FIELD,… inline, or a .yaml mapping file (constants, split, join, date formats, value "
                        "translation).")]
DryRunOption = Annotated[bool, typer.Option(
    "--dry-run", help="Show what would be created, updated, left unchanged or rejected; write nothing.")]
DuplicateOption = Annotated[str, typer.Option(
    "--on-duplicate", help="A row like an existing party (name, email, phone, tax id): skip (default), update it, or "
                           "create anyway.")]
SkipInvalidOption = Annotated[bool, typer.Option(
    "--skip-invalid", help="Import the good rows even if some are rejected (default: all or nothing).")]
SourceOption = Annotated[str | None, typer.Option(
    "--source", help="The system the file comes from; its keys are kept as external_ids.SOURCE.")]
KeyOption = Annotated[str | None, typer.Option(
    "--key", help="The column holding each row's key in that system (a second import then updates).")]
HeaderOption = Annotated[bool | None, typer.Option(
    "--header/--no-header", help="Whether the first row names the columns (default: guessed).")]
LinesOption = Annotated[Path | None, typer.Option(
    "--lines", help="Orders: a file of order lines, joined to the orders on --join.")]
JoinOption = Annotated[str | None, typer.Option(
    "--join", help="Orders: the column both files share (or ORDERS_COLUMN=LINES_COLUMN).")]
GroupOption = Annotated[str | None, typer.Option(
    "--group-by", help="Orders in one file: rows with the same value of this column are one order.")]


def _import(ctx: typer.Context, path: Path, kind: str, reading, fmt, **options) -> None:
    from crmcli.io.imports import import_table
    from crmcli.render.progress import progress_bar

    run = state(ctx)
    with progress_bar(_("importing {file}").format(file=path.name)) as advance:
        outcome = import_table(run.repo, path, kind, reading, progress=advance, **options)
    _report(run, outcome, fmt, options.get("skip_invalid", False))


def _report(run, outcome, fmt, skip_invalid: bool) -> None:
    run.show(outcome.view(), fmt)
    if outcome.dry_run and outcome.counts["rejected"] and not skip_invalid:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Import customers, suppliers, contacts, interactions, products and orders.",
                        no_args_is_help=True)
    app.add_typer(group, name="import")

    @group.command("csv")
    def csv_(ctx: typer.Context, path: FileArgument, kind: KindOption, mapping: MapOption = None,
             encoding: Annotated[str | None, typer.Option(
                 "--encoding",
                 help="Default: detected (UTF-8 with or without BOM, GB18030/GBK, Latin-1/cp1252).")] = None,
             delimiter: Annotated[str | None, typer.Option(
                 "--delimiter", help="Default: sniffed from , ; tab |.")] = None,
             locale: Annotated[str | None, typer.Option(
                 "--locale", help="How the file writes numbers: de_DE reads 1.250,50, en_US and zh_CN 1,250.50 "
                                  "(default: what each column shows; a value that reads both ways is refused).")]
             = None,
             header: HeaderOption = None, lines: LinesOption = None, join: JoinOption = None,
             group_by: GroupOption = None, source: SourceOption = None, key: KeyOption = None,
             dry_run: DryRunOption = False,
             on_duplicate: DuplicateOption = "skip", skip_invalid: SkipInvalidOption = False, fmt: FormatOption = None):
        """Import a CSV file: crm import csv customers.csv --kind customer --map 'Company=name,Phone=phones[0]'."""
        from crmcli.io.imports import Reading

        _import(ctx, path, kind, Reading(encoding=encoding, delimiter=delimiter, header=header, locale=locale), fmt,
                mapping_text=mapping, lines=lines, join=join, group_by=group_by, source=source, key=key,
                dry_run=dry_run, on_duplicate=on_duplicate, skip_invalid=skip_invalid)

    @group.command("xlsx")
    def xlsx(ctx: typer.Context, path: FileArgument, kind: KindOption, mapping: MapOption = None,
             sheet: Annotated[str | None, typer.Option("--sheet", help="The worksheet (default: the first).")] = None,
             header_row: Annotated[int | None, typer.Option(
                 "--header-row", min=1, help="The row that names the columns, counted from 1 (default: the first, "
                                             "or the first under title rows).")] = None,
             header: HeaderOption = None, lines: LinesOption = None, join: JoinOption = None,
             group_by: GroupOption = None, source: SourceOption = None, key: KeyOption = None,
             dry_run: DryRunOption = False,
             on_duplicate: DuplicateOption = "skip", skip_invalid: SkipInvalidOption = False, fmt: FormatOption = None):
        """Import a worksheet of an Excel file, with the same mappings as CSV."""
        from crmcli.io.imports import Reading

        reading = Reading(xlsx=True, sheet=sheet, header=header, header_row=header_row)
        _import(ctx, path, kind, reading, fmt, mapping_text=mapping, lines=lines, join=join, group_by=group_by,
                source=source, key=key, dry_run=dry_run, on_duplicate=on_duplicate, skip_invalid=skip_invalid)

    @group.command("vcard")
    def vcard(ctx: typer.Context, path: FileArgument,
              kind: Annotated[str, typer.Option("--kind", "-k", help="customer (default) or supplier.",
                                                autocompletion=complete.party_kinds)] = "customer",
              mapping: Annotated[str | None, typer.Option(
                  "--map", "-m", help="PROPERTY=FIELD,… or a .yaml mapping, as for CSV: card properties (X-QQ, NOTE, "
                                      "ADR.country, N.given) to fields (contacts[0].… is the card's person).")] = None,
              dry_run: DryRunOption = False, on_duplicate: DuplicateOption = "skip",
              skip_invalid: SkipInvalidOption = False, fmt: FormatOption = None):
        """Import vCards (2.1, 3.0, 4.0): a card with an organisation is a contact of that company,
        one without is a person."""
        from crmcli.io.vcard_import import import_vcards

        run = state(ctx)
        outcome = import_vcards(run.repo, path, kind, mapping_text=mapping, dry_run=dry_run,
                                on_duplicate=on_duplicate, skip_invalid=skip_invalid)
        _report(run, outcome, fmt, skip_invalid)
