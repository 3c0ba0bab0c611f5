"""What every command shares: the run's state (data directory, format, today) and options."""


import contextlib
import gc
import os
import shutil
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
import typer.core

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.kinds import KINDS
from crmcli.model.text import visible

if TYPE_CHECKING:
    from collections.abc import Callable

    from crmcli.store.repo import Repo, Settings


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector paused while a command builds and writes a large result (a
    ledger of 20,000 rows): the rows are dicts and tuples that hold no cycles, and each of
    the collector's passes walks all of them again; at 100,000 records that was about 50 ms
    of a 0.55 s run. What is left to collect is collected once the collector runs again."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class OutputFormat(StrEnum):
    table = "table"
    plain = "plain"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o",
                 help="Write to this file instead, in the format its extension names: .csv, .json, .md or .xlsx."),
]
ChartOption = Annotated[bool, typer.Option(
    "--chart", help="Add a bar chart of the main series (table and plain output).")]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option("--format", "-f", help="table (rich, the default on a terminal), plain (the default when piped), "
                                        "markdown, csv, json or jsonl."),
]


BAR_FROM = 2000
"""Files a refresh must read for a progress bar to be worth showing (a cold index build)."""


class ColdBuildBar:
    """The progress of a refresh that reads many files (the first command in a new clone
    builds the whole index), shown on a terminal as `crm reindex` shows it; nothing for
    the few files an ordinary refresh reads, so ordinary commands never load the bar."""

    def __init__(self):
        self.bar: contextlib.ExitStack | None = None
        self.advance: Callable[[int, int], None] = lambda done, total: None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < BAR_FROM:
                return
            # lazy: rich's progress bar, ~20 ms; only a refresh of 2,000 files or more shows it
            from crmcli.render.progress import progress_bar

            self.bar = contextlib.ExitStack()
            self.advance = self.bar.enter_context(progress_bar(_("indexing")))
            self.done = 0
        self.advance(done, total)
        self.done += done
        if self.done >= total:  # the refresh is over: the command's own output follows
            self.bar.close()
            self.bar = None


class State:
    """The options given before the command, and the data directory once opened. A plain
    class, not a dataclass: every command defines it at start-up, and a dataclass costs about
    half a millisecond to define."""

    def __init__(self, debug: bool = False):
        self.data_dir: str | None = None
        self.fmt: OutputFormat | None = None
        self.debug = debug
        self.today: str | None = None
        self.no_commit = False
        self.at: str | None = None
        self.settings: Settings | None = None
        """The data directory and its crm.yaml, read once when the run's language was chosen."""
        self.repo_: Repo | None = None

    @property
    def repo(self):
        # lazy: the store loads in about 60 ms (python -X importtime -c 'import crmcli.store.repo');
        # `crm --help` and a command's `--help` do without it
        from crmcli.store.repo import open_repo

        if self.repo_ is None:
            self.repo_ = open_repo(self.data_dir, today=self.today, at=self.at, settings=self.settings)
            self.repo_.autocommit = self.repo_.autocommit and not self.no_commit
            self.repo_.progress = ColdBuildBar()
        return self.repo_

    def format(self, override: OutputFormat | None = None) -> str:
        chosen = override or self.fmt
        if chosen is not None:
            return chosen.value
        return "table" if sys.stdout.isatty() else "plain"

    def show(self, result, fmt: OutputFormat | None = None, *, output=None, chart: bool = False,
             raw: bool = False) -> None:
        """Render a result to stdout (or to the file `output`); an empty listing says so on
        stderr instead. `chart` adds a bar chart of the main series; `raw` CSV and XLSX keep
        cells that look like formulas."""
        # lazy: the renderers (rich's cells, the layout) load in about 20 ms (python -X importtime
        # -c 'import crmcli.render'); a command that only says something does without them
        from crmcli.render import is_empty, render

        if output is not None:
            from crmcli.render.files import write_file  # lazy: only for --output

            write_file(result, output, raw=raw)
            self.say(_("wrote {path}").format(path=output))
            return
        chosen = self.format(fmt)
        if chart and chosen in ("table", "plain"):
            from crmcli.render.chart import chart as draw  # lazy: only for --chart

            sys.stdout.write(draw(result, shutil.get_terminal_size().columns if sys.stdout.isatty() else None))
        if is_empty(result) and chosen in ("table", "plain", "markdown"):
            self.say(result.empty)
            return
        render(result, chosen, raw=raw, known_ids=self.known_ids)

    def known_ids(self) -> list[str]:
        """Every id in the data directory (none when no command opened it)."""
        return self.repo_.index.ids() if self.repo_ is not None else []

    def say(self, message: str) -> None:
        """A message for the person (stderr), not part of the output."""
        typer.echo(visible(message), err=True)

    def flush_warnings(self) -> None:
        if self.repo_ is not None:
            for warning in self.repo_.warnings:
                self.say(_("warning: {message}").format(message=warning))
            self.repo_.warnings.clear()

    def close(self) -> None:
        """The end of the run: the warnings said, the data directory let go of."""
        self.flush_warnings()
        if self.repo_ is not None:
            self.repo_.close()


class QueryCommand(typer.core.TyperCommand):
    """A command whose arguments are a query: a word starting with `-` that is none of the
    command's options is a term of the query (`-tag:lost`), not an option. Click would read
    `-tag:lost` as the short options `-t -a -g…` (or `-k` with the value `ey-account`).

    Options are recognised when written as declared (`--limit 5`, `-n 5`, `--limit=5`) before,
    between or after the terms; after `--` everything is a term. A word starting with `--` is
    no term (a query negates with one `-`) but a mistyped option, refused: `crm ledger --since
    2026-01-01` used to search for `-since` and `2026-01-01` and print an empty ledger."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self.terms_last(ctx, args))

    def terms_last(self, ctx, args: list[str]) -> list[str]:
        """`args` with the options first and every term after a `--`, in their order."""
        takes: dict[str, int] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes[name] = 0 if param.is_flag or param.count or name in param.secondary_opts else param.nargs
        options: list[str] = []
        terms: list[str] = []
        rest = list(args)
        while rest:
            arg = rest.pop(0)
            if arg == "--":
                terms += rest
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name.startswith("--") and len(name) > 2 and name not in takes:
                raise click.NoSuchOption(name, possibilities=[known for known in takes if known.startswith("--")],
                                         ctx=ctx)
            if name in takes:
                count = 0 if "=" in arg and arg.startswith("--") else takes[name]
                options += [arg, *rest[:count]]
                del rest[:count]
            else:
                terms.append(arg)
        return options + (["--", *terms] if terms else [])


QUERY_COMMAND = {"cls": QueryCommand}
"""`app.command(…, cls=QueryCommand)` for a command that takes a query (see QueryCommand)."""
Query = Annotated[list[str] | None, typer.Argument(help="A query, as for crm search.")]


def query_text(parts: list[str]) -> str:
    """The query several arguments make (see `query.parse.joined`)."""
    # lazy: the query parser loads in about 1 ms (python -X importtime); `--help` does without it
    from crmcli.query.parse import joined

    return joined(parts)


def record_commands(app: typer.Typer, kind_name: str, build_list, build_view, noun: str) -> None:
    """`list [QUERY]` and `show ID` for a kind: `build_list(repo, records)` makes the table,
    `build_view(repo, record)` the view (no `show` without one)."""

    @app.command("list", cls=QueryCommand)
    def list_(ctx: typer.Context, query: Query = None, fmt: FormatOption = None):
        # lazy: the query language loads in about 40 ms (python -X importtime -c 'import
        # crmcli.query.search'); `crm KIND --help` does without it
        from crmcli.query.search import select

        repo = state(ctx).repo
        state(ctx).show(build_list(repo, select(repo, query_text(query) if query else "", (KINDS[kind_name],))), fmt)

    list_.__doc__ = f"List {noun}."
    if build_view is None:
        return

    @app.command("show")
    def show(ctx: typer.Context,
             record_id: Annotated[str, typer.Argument(metavar="ID", help="The id (a unique prefix will do).")],
             fmt: FormatOption = None):
        # lazy: as in `list`
        from crmcli.query.resolve import resolve_record

        repo = state(ctx).repo
        state(ctx).show(build_view(repo, resolve_record(repo, KINDS[kind_name], record_id)), fmt)

    show.__doc__ = f"One {kind_name}, in full."


def stdin_yaml(expected: str, mapping: bool = True):
    """The YAML document on standard input (a record, or order lines). At a terminal nobody is
    about to type YAML, so rather than wait in silence say what the command `expected`."""
    # lazy: the YAML codec loads PyYAML, about 12 ms (python -X importtime); only input on stdin needs it here
    from crmcli.store import codec

    if sys.stdin.isatty():
        raise InvalidValue(expected)
    try:
        return codec.decode(sys.stdin.buffer.read(codec.MAX_FILE_BYTES + 1), mapping=mapping)
    except codec.RecordSyntaxError as error:
        raise InvalidValue(error.message, where=f"stdin:{error.line or 1}") from error


def state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)


def env_debug() -> bool:
    return os.environ.get("CRM_DEBUG", "") not in ("", "0")


def status_commands(app: typer.Typer, moves: dict[str, str], move) -> None:
    """One command per status move (`crm order confirm ID`, `crm contract sign ID`…).
    `move(repo, id_text, action, by=, note=, day=)` does it and returns the moved record;
    deals and tickets use the same."""

    def make(action: str, help_text: str):
        def command(
            ctx: typer.Context,
            record_id: Annotated[str, typer.Argument(metavar="ID", help="The id (a unique prefix will do).")],
            note: Annotated[str | None, typer.Option("--note", help="Why (kept in the history).")] = None,
            by: Annotated[str | None, typer.Option(
                "--by", help="Who (default: me in crm.yaml); for a review step, the approver.")] = None,
            date: Annotated[str | None, typer.Option(
                "--date", help="The day it happened, where the move records one (default today).")] = None,
        ):
            moved = move(state(ctx).repo, record_id, action, by=by, note=note, day=date)
            state(ctx).say(_("{id}: {status}").format(id=moved.id, status=_(moved.data["status"])))

        command.__doc__ = help_text
        app.command(action)(command)

    for action, help_text in moves.items():
        make(action, help_text)
