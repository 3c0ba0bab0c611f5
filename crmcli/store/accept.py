"""A kind's JSON Schema compiled once into plain Python closures that answer one question:
is this record valid? Nearly every record is, and jsonschema's general machinery (an
error object, a new validator and a path for every node it descends into) cost a cold
index build a third of its time; the closures give the same answer several times faster.
Only when they say no does `validation.document_problems` ask jsonschema for its errors,
so every message stays jsonschema's, worded as before.

Each keyword follows jsonschema's Draft 2020-12 rules exactly (the same type tests, equality
as its `equal` and `uniq`, the format predicates jsonschema is given too); a schema using a
keyword not compiled here is never accepted by the fast path, so jsonschema decides it alone
(tests/store/test_accept.py compares the two answers on many varied records). Nothing here
imports jsonschema (about 80 ms): a write whose record is valid never loads it.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from decimal import Decimal

Check = Callable[[object], bool]

IGNORED = {"description", "title", "$schema", "$id", "$defs", "$comment", "examples", "default"}
"""Annotations: keywords that never make an instance invalid (nor do `x-…` ones)."""


class Unsupported(Exception):
    """A keyword the compiler does not know: the schema is left to jsonschema."""


def _is_integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    """The numbers ABC's answer, found without asking it for what the codec makes (an ABC's
    isinstance costs several times a type test, and a cold build asks for most amounts)."""
    kind = type(value)
    if kind is int or kind is Decimal or kind is float:
        return True
    if kind is str or kind is bool:
        return False
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": _is_integer,
    "number": _is_number,
}

def _unbool(value):
    """A boolean apart from the numbers 1 and 0, which Python takes it for."""
    return ("bool", value) if isinstance(value, bool) else value


def equal(one, two) -> bool:
    """JSON equality, as jsonschema's `equal`: `true` is not `1`, lists and mappings compare
    item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[key], two[key]) for key in one)
    if isinstance(one, (list, dict)) or isinstance(two, (list, dict)):
        return False
    return _unbool(one) == _unbool(two)


def unique(items: list) -> bool:
    """Whether no two of `items` are JSON-equal (`uniqueItems`)."""
    return not any(equal(a, b) for i, a in enumerate(items) for b in items[i + 1:])


def compile_schema(schema, formats: dict[str, Callable[[object], bool]]) -> Check:
    """The yes/no check of `schema` (with every `$ref` already inlined, see schemas.inlined);
    `formats` holds a predicate per `format` name (one not there is not checked, as jsonschema
    ignores a format it does not know)."""

    def build(node) -> Check:
        if node is True or node == {}:
            return lambda value: True
        if node is False:
            return lambda value: False
        if not isinstance(node, dict):
            raise Unsupported(repr(node))
        parts = [part(keyword, argument, node) for keyword, argument in node.items()
                 if keyword not in IGNORED and not keyword.startswith("x-")]
        checks = [check for check in parts if check is not None]
        if len(checks) == 1:
            return checks[0]

        def every(value) -> bool:  # loops, not all() of a generator: this runs for every value of every record
            for check in checks:
                if not check(value):
                    return False
            return True
        return every

    def part(keyword: str, argument, node: dict) -> Check | None:
        if keyword == "type":
            names = [argument] if isinstance(argument, str) else argument
            if any(name not in TYPES for name in names):
                raise Unsupported(f"type {names}")
            tests = [TYPES[name] for name in names]
            if len(tests) == 1:
                return tests[0]
            return lambda value: any(test(value) for test in tests)
        if keyword == "properties":  # the record's fields looked up, rather than every field the schema knows
            fields = {name: build(sub) for name, sub in argument.items()}

            def properties(value) -> bool:
                if isinstance(value, dict):
                    for name, item in value.items():
                        check = fields.get(name)
                        if check is not None and not check(item):
                            return False
                return True
            return properties
        if keyword == "additionalProperties":
            if "patternProperties" in node:
                raise Unsupported(keyword)
            known = set(node.get("properties", {}))
            extra = build(argument)
            return lambda value: not isinstance(value, dict) or all(
                extra(item) for name, item in value.items() if name not in known)
        if keyword == "required":
            return lambda value: not isinstance(value, dict) or all(name in value for name in argument)
        if keyword == "dependentRequired":
            pairs = list(argument.items())
            return lambda value: not isinstance(value, dict) or all(
                all(each in value for each in wanted) for name, wanted in pairs if name in value)
        if keyword == "propertyNames":
            names = build(argument)
            return lambda value: not isinstance(value, dict) or all(names(name) for name in value)
        if keyword == "maxProperties":
            return lambda value: not isinstance(value, dict) or len(value) <= argument
        if keyword == "items":
            if "prefixItems" in node:
                raise Unsupported(keyword)
            each = build(argument)

            def items(value) -> bool:
                if isinstance(value, list):
                    for item in value:
                        if not each(item):
                            return False
                return True
            return items
        if keyword == "minItems":
            return lambda value: not isinstance(value, list) or len(value) >= argument
        if keyword == "maxItems":
            return lambda value: not isinstance(value, list) or len(value) <= argument
        if keyword == "uniqueItems":
            return lambda value: not argument or not isinstance(value, list) or unique(value)
        if keyword == "enum":
            return lambda value: any(equal(each, value) for each in argument)
        if keyword == "const":
            return lambda value: equal(argument, value)
        if keyword == "pattern":
            search = re.compile(argument).search
            return lambda value: not isinstance(value, str) or search(value) is not None
        if keyword == "minLength":
            return lambda value: not isinstance(value, str) or len(value) >= argument
        if keyword == "maxLength":
            return lambda value: not isinstance(value, str) or len(value) <= argument
        if keyword == "format":
            return formats.get(argument)
        if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            return _bound(keyword, argument)
        if keyword in ("oneOf", "anyOf", "allOf"):
            options = [build(sub) for sub in argument]
            if keyword == "oneOf":
                return lambda value: sum(1 for option in options if option(value)) == 1
            if keyword == "anyOf":
                return lambda value: any(option(value) for option in options)
            return lambda value: all(option(value) for option in options)
        if keyword == "not":
            inner = build(argument)
            return lambda value: not inner(value)
        raise Unsupported(keyword)

    try:
        return build(schema)
    except Unsupported:
        return lambda value: False


def _bound(keyword: str, limit) -> Check:
    """minimum, maximum and their exclusive forms, which apply to numbers only."""
    if keyword == "minimum":
        return lambda value: not _is_number(value) or value >= limit
    if keyword == "maximum":
        return lambda value: not _is_number(value) or value <= limit
    if keyword == "exclusiveMinimum":
        return lambda value: not _is_number(value) or value > limit
    return lambda value: not _is_number(value) or value < limit
