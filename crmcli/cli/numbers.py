"""Commands that take numbers as arguments (`crm pay ORDER -5`): a negative number is a value."""

import re

import typer.core

from crmcli.cli.context import QueryCommand

NEGATIVE = re.compile(r"-\.?[0-9]")
"""A word that reads as a negative number (`-5`, `-0.5`, `-1,000`): no crm option starts so."""


class NumberCommand(QueryCommand):
    """A command with numbers among its arguments. Click reads any word starting with `-` as an
    option, so `crm points acme redeem -5` would fail with "No such option '-5'" before the
    command could say what is wrong with the number. Here a negative number is an argument
    like any other, and the command's own check refuses it in one clear line (exit 1).

    Declared options are read where they are written (QueryCommand.terms_last puts them first
    and the arguments, in their order, after a `--`); any other word starting with `-` that is
    not a number stays an option, so a mistyped option is still Click's usage error."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if "--" in args:  # the user said where the arguments start: every word after it is one
            return super().parse_args(ctx, args)
        ordered = self.terms_last(ctx, args)
        cut = ordered.index("--") if "--" in ordered else len(ordered)
        values = ordered[cut + 1:]
        unknown = [word for word in values if word.startswith("-") and len(word) > 1 and not NEGATIVE.match(word)]
        values = [word for word in values if word not in unknown]
        return typer.core.TyperCommand.parse_args(self, ctx, [*ordered[:cut], *unknown, "--", *values])
