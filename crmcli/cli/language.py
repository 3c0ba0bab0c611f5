"""The run's interface language: chosen before Typer parses, and applied to every help text.

Help comes from docstrings and `help=` strings written in English; each is a catalog
entry (its cleaned text is the msgid), translated here once the command tree is built.
"""

from __future__ import annotations

import inspect
import typing

import click
from typer.models import ArgumentInfo

from crmcli.i18n import _, language
from crmcli.store.config import Settings, choose_language


def option(args: list[str], *names: str) -> str | None:
    """The value of a global option, read before Typer parses (help must be in the run's language)."""
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def speak(args: list[str]) -> Settings | None:
    """Choose the interface language before Typer parses (help must be in the run's language):
    --lang, else crm.yaml's locale, else the environment's. Returns the settings read, which
    the run's `open_repo` then uses rather than reading crm.yaml again."""
    return choose_language(option(args, "--data-dir", "-d"), option(args, "--lang"))


def walk(command: click.Command, path: list[str]):
    """(path, command) of `command` and everything under it, in the order `--help` lists them."""
    yield path, command
    if isinstance(command, click.Group):
        context = click.Context(command, info_name=path[-1])
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, path + [name])


def restore_argument_help(command: click.Command) -> None:
    """Give the arguments of every command in the tree their help again. Typer's TyperArgument
    sets `help`, then calls click's Parameter.__init__, which since click 8.5 sets it to None:
    without this, `--help` showed no argument's help. Read from each command's own annotations."""
    for _path, each in walk(command, ["crm"]):
        if each.callback is None or not any(isinstance(p, click.Argument) and not p.help for p in each.params):
            continue
        function = inspect.unwrap(each.callback)
        infos = {name: meta for name, hint in typing.get_type_hints(function, include_extras=True).items()
                 for meta in getattr(hint, "__metadata__", ()) if isinstance(meta, ArgumentInfo)}
        for param in each.params:
            if isinstance(param, click.Argument) and not param.help and param.name in infos:
                param.help = infos[param.name].help
        # Typer lists the arguments with the options already; click 8.5 would list them again
        each.format_arguments = _no_second_list


def _no_second_list(ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """Typer's help lists a command's arguments (under "Arguments"), so click's own list is not written."""


def help_texts(command: click.Command):
    """Every help text of the tree: what the catalog must hold."""
    for _path, each in walk(command, ["crm"]):
        if each.help:
            yield inspect.cleandoc(each.help)
        for param in each.params:
            if getattr(param, "help", None):
                yield param.help


def translate(command: click.Command) -> None:
    """Put every help text of the tree in the run's language."""
    for _path, each in walk(command, ["crm"]):
        translate_one(each)


def translate_one(command: click.Command) -> None:
    """Put the help texts of `command` itself (not of its subcommands) in the run's language."""
    if language() == "en":
        return
    if command.help:
        command.help = _(inspect.cleandoc(command.help))
    for param in command.params:
        if getattr(param, "help", None):
            param.help = _(param.help)
