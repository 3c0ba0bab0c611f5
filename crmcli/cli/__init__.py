"""The `crm` command's entry point. The root app, its global options and the one place
errors are printed are in `crmcli.cli.app`; the command groups each in their own module."""

import sys

from crmcli import __version__


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `crm` command."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"crm {__version__}")
        return
    sys.exit(run(args))


def run(args: list[str]) -> int:
    """Run the CLI with `args` and return the exit code, printing errors as one line."""
    # lazy: the root app (typer, click, rich and the run's state) loads in 150-250 ms
    # (python -X importtime -m crmcli); `crm --version` answers without it
    from crmcli.cli.app import run as run_app

    return run_app(args)


def command_tree(with_help: bool = True):
    """The click command of the whole app (see `crmcli.cli.app.command_tree`)."""
    # lazy: as in `run`
    from crmcli.cli.app import command_tree as tree

    return tree(with_help)
