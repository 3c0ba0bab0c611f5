"""The `crm` app: the root Typer app, global options, and the one place errors are printed.

Command groups live in their own modules, which import what they call at their top; the root
loads a command's module only when that command runs (`COMMANDS`), so `crm today` does not
import the import/export machinery.
"""

import contextlib
import errno
import functools
import importlib
import inspect
import os
import select
import sys
from collections.abc import Mapping
from typing import Annotated

import click
import typer
import typer.core

from crmcli import __version__
from crmcli.cli.context import FormatOption, State, env_debug
from crmcli.cli.language import restore_argument_help, speak, translate, translate_one
from crmcli.cli.listing import LISTING
from crmcli.cli.startup import collector_resumed
from crmcli.errors import PIPE_CLOSED, Ambiguous, CrmError
from crmcli.i18n import _, language

COMMANDS = {
    "init": "setup", "merge": "parties", "log": "interactions", "timeline": "interactions", "edit": "edit",
    "rm": "edit", "next": "edit", "done": "edit", "undone": "edit", "show": "views", "today": "views",
    "check": "views", "search": "search", "reindex": "search", "pay": "orders", "points": "membership",
    "ledger": "reports",
    "history": "git", "undo": "git", "sync": "git", "backup": "access", "restore": "access",
    "customer": "parties", "supplier": "parties",
    "contact": "contacts", "order": "orders", "purchase": "orders", "product": "catalog", "contract": "catalog",
    "report": "reports", "deal": "pipeline", "target": "pipeline", "ticket": "pipeline", "campaign": "pipeline",
    "remind": "reminders", "git": "git", "import": "imports", "export": "exports",
    "access": "access", "mail": "mail",
}
"""Each top-level command and the module of `crmcli.cli` that registers it, in the order
`crm --help` lists them. Loading every module up front cost `crm today` about 100 ms
(`python -X importtime -m crmcli today`, see tests/benchmarks/README.md); tests/cli/test_tree.py
checks this table against what the modules register."""

APP_SETTINGS = {"pretty_exceptions_enable": False, "rich_markup_mode": None}
"""What the root app and each module's app share: plain help, errors printed by `run`."""


class _LazyCommands(typer.core.TyperGroup):
    """The root group: a command's module is imported, and its commands built, when asked for.
    Listing them (`crm --help`, completing a command's name) needs only their summaries, which
    come from `LISTING`: building every command for it cost `crm --help` about 150 ms."""

    with_help = False
    listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if self.listing:
            return summary(cmd_name)
        module = COMMANDS.get(cmd_name)
        return None if module is None else module_commands(module, language(), self.with_help).get(cmd_name)

    @contextlib.contextmanager
    def summaries(self):
        """Within: the commands are their summaries (see `summary`)."""
        self.listing = True
        try:
            yield
        finally:
            self.listing = False

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with self.summaries():
            super().format_commands(ctx, formatter)

    def shell_complete(self, ctx: click.Context, incomplete: str):
        with self.summaries():
            return super().shell_complete(ctx, incomplete)


def summary(name: str) -> click.Command | None:
    """A stand-in for the top-level command `name` with what listing it shows, in the run's
    language: its help (translated as `translate` does) and the short help made from it as
    `module_commands` makes a group's."""
    if name not in LISTING:
        return None
    help_text, short_help, group, hidden = LISTING[name]
    if help_text and language() != "en":
        help_text = _(inspect.cleandoc(help_text))
    if group and help_text:
        short_help = help_text.strip().splitlines()[0]
    return click.Command(name, help=help_text, short_help=short_help, hidden=hidden)


def listing_source() -> str:
    """The text of crmcli/cli/listing.py: each top-level command's help, short help, whether it
    is a group and whether it is hidden, in English, as the command modules register them."""
    rows = []
    for name, module in COMMANDS.items():
        command = module_commands(module, "en", False)[name]
        short_help = None if isinstance(command, click.Group) else command.short_help
        rows.append(f"    {name!r}: ({command.help!r}, {short_help!r}, {isinstance(command, click.Group)!r}, "
                    f"{command.hidden!r}),\n")
    return ('# ruff: noqa: E501 (generated: one command a line)\n'
            '"""What `crm --help` lists of each command, so that listing them loads none of their modules.\n\n'
            'Generated by `python -m crmcli.cli.reference --listing > crmcli/cli/listing.py` (a test fails when\n'
            'it is stale): name -> (help, short help, is a group, hidden)."""\n\n'
            "LISTING: dict[str, tuple[str | None, str | None, bool, bool]] = {\n" + "".join(rows) + "}\n")


def _build_app():
    # Plain help: Typer escapes "[required]" for rich markup even when rich help is off.
    typer.core.HAS_RICH = False
    app = typer.Typer(
        name="crm",
        cls=_LazyCommands,
        help="A command-line CRM for customers and suppliers, kept as YAML files in git.",
        no_args_is_help=True,
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        **APP_SETTINGS,  # type: ignore[arg-type]
    )

    def version_callback(value: bool):
        if value:
            typer.echo(f"crm {__version__}")
            raise typer.Exit()

    @app.callback()
    def root(
        ctx: typer.Context,
        data_dir: Annotated[str | None, typer.Option(
            "--data-dir", "-d", envvar="CRM_DIR", help="The data directory (else $CRM_DIR, the nearest parent holding "
                                                       "crm.yaml, or the XDG data dir).")] = None,
        fmt: FormatOption = None,
        today: Annotated[str | None, typer.Option(
            "--today", envvar="CRM_TODAY", help="Run as of this day (or moment): every date rule uses it.")] = None,
        debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
        no_commit: Annotated[bool, typer.Option(
            "--no-commit", help="Do not commit this command's changes to git (git.autocommit).")] = False,
        at: Annotated[str | None, typer.Option(
            "--at", metavar="REV",
            help="Read the data as it was at a git commit, tag or date (2026-06-30); read-only.")] = None,
        lang: Annotated[str | None, typer.Option(
            "--lang", metavar="en|zh", help="Interface language (else crm.yaml's locale, else LANG).")] = None,
        version: Annotated[bool, typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version.")] = False,
    ):
        """A command-line CRM for customers and suppliers, kept as YAML files in git."""
        collector_resumed()  # the command's module is loaded by now: click resolves it before this runs
        run = ctx.ensure_object(State)
        run.data_dir, run.fmt, run.today, run.debug = data_dir, fmt, today, debug or run.debug
        run.no_commit, run.at = no_commit, at

    return app


@functools.cache
def module_commands(module: str, language: str, with_help: bool) -> Mapping[str, click.Command]:
    """The click commands that `crmcli.cli.<module>` registers, their help in `language`. Built
    once per process: building commands from their annotations costs Typer time that a library
    user or a test suite calling `run` thousands of times would pay on each call. `with_help`
    restores the help of arguments, which only `--help` shows (see language.restore_argument_help).
    A command group's summary in `crm --help` is its whole first line: cut to the terminal's
    width, "Reports: receivables, …" hid the reports that came last."""
    app = typer.Typer(**APP_SETTINGS)  # type: ignore[arg-type]
    importlib.import_module(f"crmcli.cli.{module}").register(app)
    group = typer.main.get_group(app)
    if with_help:
        restore_argument_help(group)
    translate(group)
    for sub in group.commands.values():
        if isinstance(sub, click.Group) and sub.help:
            sub.short_help = sub.help.strip().splitlines()[0]
    return group.commands


def command_tree(with_help: bool = True) -> click.Group:
    """The click command of the whole app, its help in the run's language; its commands are
    built when asked for (see `COMMANDS`)."""
    return _command_tree(language(), with_help)


@functools.cache
def _command_tree(language: str, with_help: bool) -> click.Group:
    command = typer.main.get_command(_build_app())
    assert isinstance(command, _LazyCommands)
    command.with_help = with_help
    translate_one(command)
    return command


def _is_text(argument: str) -> bool:
    """Whether an argument is text: Python hands bytes that are not UTF-8 (a Latin-1 `ü` typed
    in a UTF-8 terminal) over as lone surrogates, which no file can hold."""
    try:
        argument.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _invoke(command, args: list[str], state) -> int:
    """Parse and run the command line as Click's standalone mode does, but with its errors
    printed as everything else is: one line. Click's own rendering of a usage error is a box
    of usage, hint and message over four lines (and a list of choices over more)."""
    command._main_shell_completion({}, "crm", None)  # `_CRM_COMPLETE=…` prints completions and exits
    try:
        with command.make_context("crm", list(args), obj=state) as ctx:
            command.invoke(ctx)
        return 0
    except click.exceptions.NoArgsIsHelpError as error:  # `crm contract`: what it can do is the answer
        error.show()
        return error.exit_code
    except click.UsageError as error:
        path = error.ctx.command_path if error.ctx is not None else "crm"
        state.say("crm: " + _("{error} (see: {command} --help)").format(
            error=" ".join(error.format_message().split()), command=path))
        return error.exit_code
    except click.ClickException as error:
        state.say(f"crm: {' '.join(error.format_message().split())}")
        return error.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except (click.Abort, EOFError):
        state.say("crm: " + _("aborted"))
        return 1


def reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has closed it (`crm search price | head -5`),
    rather than some other pipe of the run (git's) breaking: poll reports an error on the write
    end of a pipe nobody reads."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no file behind stdout (a test's capture)
        return False


def run(args: list[str]) -> int:
    """Run the CLI with `args` and return the exit code, printing errors as one line."""
    state = State(debug="--debug" in args or env_debug())
    try:
        state.settings = speak(args)
        garbled = next((arg for arg in args if not _is_text(arg)), None)
        if garbled is not None:
            state.say("crm: " + _("argument {argument} is not UTF-8 text (is the terminal set to another "
                                  "encoding?)").format(argument=garbled.encode("utf-8", "surrogateescape")
                                                       .decode("utf-8", "backslashreplace")))
            return 2
        command = command_tree(with_help=not args or "--help" in args or "-h" in args)
        return _invoke(command, args, state)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except CrmError as error:
        if state.debug:
            raise
        state.say(f"crm: {error}")
        if isinstance(error, Ambiguous):
            for candidate in error.candidates:
                state.say(f"  {candidate}")
        return error.exit_code
    except BrokenPipeError:
        if reader_gone():
            return PIPE_CLOSED  # as `cat` or `grep`: a reader that stopped reading is no error
        if state.debug:
            raise
        state.say(f"crm: {os.strerror(errno.EPIPE)}")
        return 3
    except OSError as error:
        if state.debug:
            raise
        where = f"{error.filename}: " if error.filename else ""
        state.say(f"crm: {where}{error.strerror or error}")
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if state.debug:
            raise
        message = _("internal error: {kind}: {error} (run with --debug for the traceback)").format(
            kind=type(error).__name__, error=error)
        state.say(f"crm: {message}")
        return 1
    finally:
        state.close()
