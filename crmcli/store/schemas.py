"""The JSON Schemas of the record kinds, shipped as package data.

They live in the project's top-level `schemas/`; the wheel carries them as
`crmcli/schemas/` (pyproject.toml's force-include). Running from a source checkout reads
the top-level folder.
"""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crmcli.errors import InvalidValue
from crmcli.model.dates import ISO_DATE
from crmcli.model.money import MINOR_UNITS
from crmcli.store.accept import compile_schema


@functools.cache
def _folder() -> Path:
    """The schemas' folder. The wheel installs them as plain files beside the package's
    modules, so a path is what importlib.resources would give, without its import and a
    resource reader (about 2.5 ms of every command, python -X importtime)."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "schemas"
    return packaged if packaged.is_dir() else package.parent / "schemas"


@functools.cache
def schema_bytes(name: str) -> bytes:
    return _folder().joinpath(f"{name}.schema.json").read_bytes()


@functools.cache
def schema(name: str) -> dict:
    return json.loads(schema_bytes(name).decode("utf-8"))


def _is_date(text) -> bool:
    """JSON Schema's `date` (RFC 3339 full-date), as jsonschema's format checker reads it."""
    if not isinstance(text, str):
        return True
    return ISO_DATE.fullmatch(text) is not None and _parses(lambda: date.fromisoformat(text))


def _is_moment(text) -> bool:
    return not isinstance(text, str) or _parses(lambda: datetime.fromisoformat(text.replace("Z", "+00:00")))


def _is_birthday(text) -> bool:
    """YYYY-MM-DD, or MM-DD when the year is unknown (checked against a leap year)."""
    if not isinstance(text, str):
        return True
    full = text if len(text) == 10 else f"2000-{text}"
    return _parses(lambda: date.fromisoformat(full))


def _is_currency(code) -> bool:
    """An ISO 4217 code crm knows the minor units of (the pattern only says three capitals)."""
    return not isinstance(code, str) or code in MINOR_UNITS


MAX_ZONE_LENGTH = 64


def _is_zone(name) -> bool:
    """An IANA time zone this system knows (`Asia/Shanghai`), as the clock will ask for it.
    The longest is 32 characters; a long one is refused unasked, for each `/` in it costs
    zoneinfo a nested import (`Asia/` 2,000 times exhausted the stack)."""
    if isinstance(name, str) and len(name) > MAX_ZONE_LENGTH:
        return False
    return not isinstance(name, str) or _parses(lambda: ZoneInfo(name), (ZoneInfoNotFoundError, ValueError, OSError))


def _is_repeat(text) -> bool:
    """A repeat rule crm can follow, its interval within bounds (not `99999999y`)."""
    # lazy: repeat rules load dateutil's rrule, about 5 ms (python -X importtime); every command
    # loads this module (the index, the settings' stamp), few validate a repeat rule
    from crmcli.model.recurrence import check_rule

    try:
        return not isinstance(text, str) or bool(check_rule(text, date(2000, 1, 1)))
    except InvalidValue:
        return False


def _parses(parse, errors=ValueError) -> bool:
    try:
        parse()
        return True
    except errors:
        return False


def _inlined(node, root: dict):
    """The schema with every `$ref` replaced by what it points to (ours never recurse), so
    validation does not resolve references for each of 100k records."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = node["$ref"].partition("#")[0]
            base = root if not target else schema(target.rsplit(":", 1)[-1])
            resolved = resolve(node, root)
            rest = {key: value for key, value in node.items() if key != "$ref"}
            return _inlined({**resolved, **rest}, base)
        return {key: _inlined(value, root) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inlined(item, root) for item in node]
    return node


FORMATS = {"date": _is_date, "moment": _is_moment, "birthday": _is_birthday, "currency": _is_currency,
           "zone": _is_zone, "repeat": _is_repeat}
"""The formats the schemas use, one predicate each, for the fast check and for jsonschema alike."""


@functools.cache
def inlined(name: str) -> dict:
    """The schema `name` with every `$ref` inlined."""
    return _inlined(schema(name), schema(name))


@functools.cache
def validator(name: str):
    """jsonschema's validator of the schema `name`, asked only to word what is wrong."""
    # lazy: jsonschema loads in 90 ms (python -X importtime); only a record that fails needs it
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(())
    for format_name, conforms in FORMATS.items():
        checker.checks(format_name)(conforms)
    return Draft202012Validator(inlined(name), format_checker=checker)


@functools.cache
def accepts(name: str):
    """The fast yes/no check of the schema `name` (store/accept.py): True means jsonschema
    would find no error either. It needs no jsonschema: a write whose record passes never
    loads it."""
    return compile_schema(inlined(name), FORMATS)


def resolve(node: dict, root: dict) -> dict:
    """Follow a `$ref` (local or to the common schema) to the node it names."""
    while "$ref" in node:
        target, _, pointer = node["$ref"].partition("#")
        base = root if not target else schema(target.rsplit(":", 1)[-1])
        node = base
        for part in pointer.strip("/").split("/"):
            if part:
                node = node[part]
        root = base
    return node


def field_node(name: str, path: list[str]) -> dict | None:
    """The schema node of a (possibly nested) field, or None when the schema has no such field."""
    root = schema(name)
    node = root
    for part in path:
        parent = resolve(node, root)
        if part.isdigit() or part == "[]":
            child = parent.get("items")
        elif "properties" in parent:
            child = parent["properties"].get(part)
        elif parent.get("type") == "object":
            child = parent.get("additionalProperties", {})
            child = {} if child is True else child
        else:
            child = None
        if child is None:
            return None
        node = child
    return resolve(node, root)
