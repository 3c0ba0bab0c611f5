"""The message catalog of the interface: what must be translated, and the zh_CN files.

    python tests/catalog.py update    # add new messages to crmcli/locale/zh_CN/LC_MESSAGES/crm.po, compile crm.mo

Messages are found three ways, so nothing shown to a person escapes the catalog:
- strings given to `_` and `N_` in crmcli/, the (singular, plural) pairs given to `ngettext`, and
  the words given to `NC_` with their context (`InContext`: msgctxt in the .po file);
- literal column headings (`Column(key, "heading")`), and `title=`/`empty=` literals of views;
- every help text of the command tree (docstrings and `help=`), read from the built app;
- the enumerated values of the schemas (statuses, stages, types), shown as interface words.
Babel reads and writes the .po and .mo files.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crmcli"
PO = PACKAGE / "locale" / "zh_CN" / "LC_MESSAGES" / "crm.po"
MO = PO.with_suffix(".mo")
MARKERS = {"_", "N_"}
LITERAL_KEYWORDS = {"title", "empty"}
VIEWS = {"Table", "Fields", "Document"}


class InContext(NamedTuple):
    """A message translated in a context (`NC_("segment", "lost")`): msgctxt and msgid."""

    context: str
    message: str


def key_of(message):
    """The key `messages()` has for a catalog entry: its msgid, in its context if it has one."""
    return InContext(message.context, message.id) if message.context else message.id


def entry(catalog, key):
    """The catalog's entry for a key of `messages()`, or None."""
    if isinstance(key, InContext):
        return catalog.get(key.message, context=key.context)
    return catalog.get(key)


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value else None


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def source_messages() -> dict:
    """msgid (a text, or a (singular, plural) pair) → where it was found first (path:line)."""
    found: dict = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            texts = []
            if name in MARKERS and node.args:
                texts.append(_literal(node.args[0]))
            elif name == "ngettext" and len(node.args) >= 2:
                singular, plural = _literal(node.args[0]), _literal(node.args[1])
                if singular and plural:
                    found.setdefault((singular, plural), f"{path.relative_to(ROOT)}:{node.lineno}")
            elif name == "NC_" and len(node.args) >= 2:
                context, message = _literal(node.args[0]), _literal(node.args[1])
                if context and message:
                    found.setdefault(InContext(context, message), f"{path.relative_to(ROOT)}:{node.lineno}")
            elif name == "Column" and len(node.args) >= 2:
                texts.append(_literal(node.args[1]))
            if name in VIEWS:
                texts += [_literal(k.value) for k in node.keywords if k.arg in LITERAL_KEYWORDS]
            for text in texts:
                if text:
                    found.setdefault(text, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def help_messages() -> set[str]:
    from crmcli.cli import command_tree
    from crmcli.cli.language import help_texts

    return set(help_texts(command_tree()))


def schema_words() -> set[str]:
    """Every string `enum` value of the JSON Schemas in schemas/."""
    import json

    words = set()

    def visit(node):
        if isinstance(node, dict):
            words.update(value for value in node.get("enum", []) if isinstance(value, str))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for path in (ROOT / "schemas").glob("*.schema.json"):
        visit(json.loads(path.read_text(encoding="utf-8")))
    return words


def messages() -> dict:
    found = source_messages()
    for text in sorted(help_messages()):
        found.setdefault(text, "help")
    for word in sorted(schema_words()):
        found.setdefault(word, "schemas")
    return found


def read_catalog():
    from babel.messages.pofile import read_po

    with PO.open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain="crm")


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def update() -> None:
    """Add the messages the catalog lacks (untranslated), drop those no longer used, compile."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    catalog = read_catalog() if PO.exists() else Catalog(locale="zh_CN", domain="crm", project="crm",
                                                         copyright_holder="the crm developers")
    catalog.fuzzy = False
    wanted = messages()
    for message in list(catalog):
        if message.id and key_of(message) not in wanted:
            catalog.delete(message.id, context=message.context)
    for text, where in wanted.items():
        if isinstance(text, InContext):
            if entry(catalog, text) is None:
                catalog.add(text.message, "", auto_comments=[where], context=text.context)
        elif text not in catalog:
            catalog.add(text, ("",) if isinstance(text, tuple) else "", auto_comments=[where])
    for message in catalog:
        message.flags.discard("python-format")  # messages are str.format templates; a % is just a sign
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True)
    with MO.open("wb") as handle:
        write_mo(handle, catalog)
    missing = sum(1 for message in catalog if message.id and not translated(message))
    print(f"{len(wanted)} messages, {missing} without a translation in {PO.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] != ["update"]:
        sys.exit(__doc__)
    update()
