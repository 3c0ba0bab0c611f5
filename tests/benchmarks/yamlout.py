"""A small, fast YAML writer that lays records out like the hand-written examples.

The benchmark writes up to 100,000 files; yaml.safe_dump would be fast enough but
lays files out differently from examples/demo (block lists everywhere, its own
quoting), and the point is to time crm on files that look like a user's. So this
writes the few shapes records use: block mappings in insertion order, flow lists of
scalars (`tags: [vip, cable]`), block lists of mappings (contacts), flow mappings
(`totals: {net: 1.00, ...}`), literal blocks for multi-line text, and plain scalars
quoted only when some YAML reader (1.1 or 1.2) would take them for another type.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date, datetime
from decimal import Decimal

import yaml

OFFSET = "+08:00"

_RESOLVER_1_1 = yaml.resolver.Resolver()
# YAML 1.2 numbers that YAML 1.1 reads as text (`1e3`); crm's reader uses 1.2 rules.
_NUMBER_1_2 = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
# Characters that cannot start a plain scalar, or sequences that end one early.
_UNSAFE_ANYWHERE = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|\s$|: |\s#|:$|[\x00-\x1f\x7f]")
_UNSAFE_IN_FLOW = re.compile(r"[,\[\]{}]")


class Quoted(str):
    """Text always written in quotes, as the examples do for phones and postcodes."""


class Flow(dict):
    """A mapping written on one line: `{net: 48500.00, tax: 6305.00}`."""


def quote(text: str) -> str:
    """Single quotes where they can hold the text, else JSON-style double quotes (valid YAML)."""
    if "\n" in text or "\r" in text:
        return json.dumps(text, ensure_ascii=False)
    return "'" + text.replace("'", "''") + "'"


@functools.lru_cache(maxsize=1 << 16)
def scalar(text: str, in_flow: bool = False) -> str:
    """The text plain when every YAML reader reads it back as the same string, else quoted."""
    if (not text or _UNSAFE_ANYWHERE.search(text) or (in_flow and _UNSAFE_IN_FLOW.search(text))
            or _NUMBER_1_2.match(text)
            or _RESOLVER_1_1.resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str"):
        return quote(text)
    return text


def inline(value, in_flow: bool = False) -> str:
    """One value on one line. Moments are naive datetimes in the data's zone (+08:00)."""
    if isinstance(value, Quoted):
        return quote(value)
    if isinstance(value, str):
        return scalar(value, in_flow)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%dT%H:%M:%S}{OFFSET}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {inline(item, True)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(inline(item, True) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__}")


def _mapping(mapping: dict, indent: int, out: list[str]) -> None:
    """Append the lines of a block mapping; keys whose value is None are left out."""
    pad = " " * indent
    for key, value in mapping.items():
        if value is None:
            continue
        if isinstance(value, str) and "\n" in value and not isinstance(value, Quoted):
            out.append(f"{pad}{key}: |")
            out.extend(f"{pad}  {line}" if line else "" for line in value.rstrip("\n").split("\n"))
        elif isinstance(value, dict) and not isinstance(value, Flow):
            out.append(f"{pad}{key}:")
            _mapping(value, indent + 2, out)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, Flow):
                    out.append(f"{pad}  - {inline(item)}")
                    continue
                lines: list[str] = []
                _mapping(item, indent + 4, lines)
                lines[0] = f"{pad}  - {lines[0][indent + 4:]}"
                out.extend(lines)
        else:
            out.append(f"{pad}{key}: {inline(value)}")


def dump(record: dict) -> str:
    """The text of one record file."""
    out: list[str] = []
    _mapping(record, 0, out)
    out.append("")
    return "\n".join(out)
