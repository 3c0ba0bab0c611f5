"""`crm export csv|json|jsonl|xlsx|vcard|beancount`: records out to spreadsheets, phones and accountants."""

from pathlib import Path
from typing import Annotated

import typer

from crmcli.cli import complete
from crmcli.cli.context import Query, QueryCommand, query_text, state
from crmcli.i18n import _

KindArgument = Annotated[str, typer.Argument(
    help="customer, supplier, contact, interaction, product, order, purchase, contract, deal, ticket, campaign or "
         "target.", autocompletion=complete.export_kinds)]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]
RawOption = Annotated[bool, typer.Option(
    "--raw", help="Keep cells that start with = + - @ as they are (by default they get a leading ' so spreadsheets do "
                  "not run them).")]
RedactOption = Annotated[bool, typer.Option(
    "--redact", help="Mask phones, emails, messenger handles and dates of birth, and phone, email and id "
                  "numbers inside notes and bodies (for sharing).")]
ExcelOption = Annotated[bool, typer.Option(
    "--excel", help="CSV only: UTF-8 with a byte order mark, which Excel needs to read Chinese and accents right.")]
BOM = "\ufeff"


def _write(run, text: str, output: Path | None) -> None:
    """Text to stdout, or to `output` (and a note on stderr)."""
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        from crmcli.errors import InvalidValue

        raise InvalidValue(_("cannot write: {reason}").format(reason=error.strerror), where=str(output)) from error
    run.say(_("wrote {path}").format(path=output))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Export records as CSV, JSON, JSON lines, XLSX, vCard or a Beancount journal.",
                        no_args_is_help=True)
    app.add_typer(group, name="export")

    @group.callback()
    def options(ctx: typer.Context, raw: RawOption = False, redact: RedactOption = False):
        """--raw and --redact may come before the format too: crm export --redact csv customer."""
        ctx.meta["export_raw"], ctx.meta["export_redact"] = raw, redact

    def table_command(fmt: str):
        def command(ctx: typer.Context, kind: KindArgument, query: Query = None, output: OutputOption = None,
                    raw: RawOption = False, redact: RedactOption = False, excel: ExcelOption = False):
            from crmcli.io.exports import export_table
            from crmcli.render.files import write_file

            run = state(ctx)
            if excel and fmt != "csv":
                from crmcli.errors import InvalidValue

                raise InvalidValue(_("--excel applies to csv only"))
            raw, redact = raw or ctx.meta["export_raw"], redact or ctx.meta["export_redact"]
            table = export_table(run.repo, kind, query_text(query) if query else "", redact)
            if output is not None:
                write_file(table, output, fmt, raw, encoding="utf-8-sig" if excel else "utf-8")
                run.say(_("wrote {path}").format(path=output))
            elif table.rows or fmt != "csv":
                from crmcli.render import render

                if excel:
                    typer.echo(BOM, nl=False)
                render(table, fmt, raw=raw, exact=True)
            else:
                run.say(table.empty)

        command.__doc__ = (f"Records of a kind (those matching QUERY) as {fmt.upper()}: "
                           f"crm export {fmt} customer 'tag:vip'.")
        group.command(fmt, cls=QueryCommand)(command)

    for fmt in ("csv", "json", "jsonl"):
        table_command(fmt)

    @group.command("xlsx", cls=QueryCommand)
    def xlsx(ctx: typer.Context, kind: KindArgument, query: Query = None, output: OutputOption = None,
             raw: RawOption = False, redact: RedactOption = False):
        """Records of a kind as an Excel sheet: crm export xlsx KIND [QUERY] FILE.xlsx."""
        from crmcli.io.exports import export_table, xlsx_target
        from crmcli.render.files import write_file

        run = state(ctx)
        raw, redact = raw or ctx.meta["export_raw"], redact or ctx.meta["export_redact"]
        words, output = xlsx_target(query, output)
        write_file(export_table(run.repo, kind, query_text(words) if words else "", redact), output, "xlsx", raw)
        run.say(_("wrote {path}").format(path=output))

    @group.command("vcard", cls=QueryCommand)
    def vcard(ctx: typer.Context,
              query: Annotated[list[str] | None, typer.Argument(
                  metavar="[PARTY|QUERY]", help="A party, or a query (default: every customer and supplier).")] = None,
              version: Annotated[str, typer.Option("--version", help="vCard 3.0 (most phones) or 4.0.")] = "3.0",
              output: OutputOption = None, redact: RedactOption = False):
        """Contacts as vCards for phones and address books: one card per contact, ORG the company."""
        from crmcli.io.vcards import export_vcards

        run = state(ctx)
        redact = redact or ctx.meta["export_redact"]
        _write(run, export_vcards(run.repo, query_text(query) if query else "", version, redact), output)

    @group.command("beancount")
    def beancount(ctx: typer.Context,
                  period: Annotated[str | None, typer.Option(
                      "--period", help="Only orders and payments dated in it: 2026, 2026-Q3, 2026-10, ytd…")] = None,
                  output: OutputOption = None):
        """Sales and purchase orders and their payments as a Beancount journal (bean-check accepts it)."""
        from crmcli.io.beancount import journal

        run = state(ctx)
        _write(run, journal(run.repo, period), output)
