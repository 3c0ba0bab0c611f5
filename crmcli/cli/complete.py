"""Shell completion of option values and party names (Typer autocompletion callbacks).

Choices that are enums complete by themselves (`--format`); these callbacks offer what
plain text options take: `--by`'s group keys (comma lists too: `owner,mo` → `owner,month`),
`--kind`'s kinds, and the parties a name argument may name, as ids (safe to type in a
shell) with the name beside them. Parties come from the index's names (a question of
store/questions.py), never by reading every record. Completion must never fail: a data
directory that cannot be opened offers nothing.
"""

from __future__ import annotations

import click

from crmcli.model.kinds import KINDS

PARTIES_OFFERED = 50


def _starting(values, incomplete: str) -> list[str]:
    return [value for value in values if value.startswith(incomplete)]


def group_keys(incomplete: str) -> list[str]:
    """`--by` of ledger and reports: one or two keys, comma-separated."""
    # lazy: every command group imports this module for its completions; the ledger (11 ms),
    # the importers (115 ms) and the exporters (python -X importtime) load only when completing
    from crmcli.reports.ledger import LINE_KEYS, ORDER_KEYS

    done, comma, last = incomplete.rpartition(",")
    taken = done.split(",") if comma else []
    return [done + comma + key for key in ORDER_KEYS + LINE_KEYS if key.startswith(last) and key not in taken]


def import_kinds(incomplete: str) -> list[str]:
    # lazy: as in `group_keys`: the importers load in 115 ms, only for completing
    from crmcli.io.imports import IMPORT_KINDS

    return _starting(IMPORT_KINDS, incomplete)


def party_kinds(incomplete: str) -> list[str]:
    return _starting(("customer", "supplier"), incomplete)


def record_kinds(incomplete: str) -> list[str]:
    """Every kind of record, by the names the query language and `--kind` take."""
    return _starting(sorted(KINDS), incomplete)


def export_kinds(incomplete: str) -> list[str]:
    # lazy: as in `group_keys`: the exporters load only for completing
    from crmcli.io.exports import EXPORT_KINDS

    return _starting(EXPORT_KINDS, incomplete)


def parties(ctx: click.Context, incomplete: str) -> list[tuple[str, str]]:
    """The parties whose id, name or pinyin starts with what is typed: the id with the name
    beside it (zsh and fish show it), or the name itself when that is what was typed (深圳 →
    深圳市华强电子有限公司; a name with spaces only as its id, which needs no quotes)."""
    # lazy: every command module imports this one for its callbacks, at every run; the store
    # (about 25 ms, python -X importtime) is needed here only when a shell asks for party names
    from crmcli.store.repo import open_repo

    root = ctx.find_root()
    try:
        repo = open_repo(root.params.get("data_dir"), today=root.params.get("today"))
        found = repo.ask.parties_like(incomplete, PARTIES_OFFERED)
    except Exception:  # noqa: BLE001 - a shell's tab key must never print a traceback
        return []
    offered = []
    for party_id, name in found:
        if party_id.startswith(incomplete):
            offered.append((party_id, name))
        elif name.startswith(incomplete) and " " not in name:
            offered.append((name, party_id))
    return offered
