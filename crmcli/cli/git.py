"""`crm history`, `crm undo`, `crm sync` and the `crm git` group (hooks, merge driver)."""


from pathlib import Path
from typing import Annotated

import typer

from crmcli.actions.git import install_hooks as install
from crmcli.actions.git import undo as undo_last
from crmcli.actions.sync import sync as sync_now
from crmcli.cli.context import FormatOption, state
from crmcli.cli.views import show_problems
from crmcli.i18n import _
from crmcli.query.resolve import resolve_any
from crmcli.reports.history import recent_changes, record_history
from crmcli.reports.staged import staged_problems
from crmcli.store.merge import merge_files


def register(app: typer.Typer) -> None:
    @app.command("history")
    def history(
        ctx: typer.Context,
        record: Annotated[str | None, typer.Argument(
            help="A record: its id, path (customers/acme) or a party's name. Without it: recent changes.")] = None,
        since: Annotated[str, typer.Option(
            "--since", help="Without RECORD: changes from this long ago (1w, 30d) or this day.")] = "1w",
        fmt: FormatOption = None,
    ):
        """A record's versions in git with what changed, field by field; or every recent change."""
        repo = state(ctx).repo
        result = record_history(repo, resolve_any(repo, record)) if record else recent_changes(repo, since)
        state(ctx).show(result, fmt)

    @app.command("undo")
    def undo(ctx: typer.Context):
        """Revert crm's last commit (refused when a later commit or an uncommitted change touched its files)."""
        state(ctx).say(_("undone: {subject}").format(subject=undo_last(state(ctx).repo)))

    @app.command("sync")
    def sync(ctx: typer.Context, fmt: FormatOption = None):
        """Pull (rebase) and push, then check the merged data: ids, duplicates, references."""
        run = state(ctx)
        synced = sync_now(run.repo)
        for note in synced.notes:
            run.say(note)
        if synced.conflicts or synced.unpublished:
            show_problems(run, synced.conflicts or synced.unpublished, fmt)
            raise typer.Exit(1)
        run.say(_("pulled {pulled} commit(s), pushed {pushed}").format(pulled=synced.pulled, pushed=synced.pushed))
        if show_problems(run, synced.problems, fmt):
            raise typer.Exit(1)

    group = typer.Typer(help="Set a repository up for crm, and what git runs: the merge driver and the hook.",
                        no_args_is_help=True)
    app.add_typer(group, name="git")

    @group.command("install-hooks")
    def install_hooks(ctx: typer.Context):
        """Install the pre-commit hook and the field-by-field merge driver in this repository."""
        for note in install(state(ctx).repo):
            state(ctx).say(note)

    @group.command("pre-commit")
    def pre_commit(ctx: typer.Context, fmt: FormatOption = None):
        """Check the staged records as crm check does; exit 1 (refusing the commit) on an error.
        Silent when all is well."""
        run = state(ctx)
        problems = staged_problems(run.repo)
        if problems and show_problems(run, problems, fmt):
            run.say("crm: " + _("commit refused: fix the staged records above (or commit with --no-verify)"))
            raise typer.Exit(1)

    @group.command("merge-driver")
    def merge_driver(
        ctx: typer.Context,
        base: Annotated[Path, typer.Argument(help="%O: the common ancestor.")],
        ours: Annotated[Path, typer.Argument(help="%A: our version, replaced by the result.")],
        theirs: Annotated[Path, typer.Argument(help="%B: their version.")],
        name: Annotated[str, typer.Argument(help="%P: the file's path in the repository.")],
    ):
        """Merge a record field by field (git runs this; see crm git install-hooks). Exit 1 on a conflict."""
        conflicts = merge_files(base, ours, theirs, name)
        if conflicts:
            state(ctx).say(_("{path}: both sides changed {fields}").format(path=name, fields=", ".join(conflicts)))
            raise typer.Exit(1)
