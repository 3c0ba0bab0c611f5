"""The JSON Schemas of the record kinds, shipped as package data.

They live in the project's top-level `schemas/`; the wheel carries them as
`crmcli/schemas/`. Running from a source checkout reads the top-level folder.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

SCHEMA_NAMES = ("common", "party", "interaction", "config")


def _folder():
    packaged = resources.files("crmcli").joinpath("schemas")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


@functools.cache
def schema(name: str) -> dict:
    return json.loads(_folder().joinpath(f"{name}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def _registry():
    from referencing import Registry, Resource

    return Registry().with_resources(
        (schema(name)["$id"], Resource.from_contents(schema(name))) for name in SCHEMA_NAMES
    )


@functools.cache
def validator(name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(name), registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


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
        node = resolve(node, root)
        if part.isdigit() or part == "[]":
            node = node.get("items")
        else:
            node = node.get("properties", {}).get(part)
        if node is None:
            return None
    return resolve(node, root)
