"""Turning a record (plain dict) into YAML text, in schema key order, keeping hand edits.

When a file already exists, the new record is merged into the round-trip document
loaded from it: values that did not change keep their node (and with it comments,
quoting and layout); changed ones are replaced; new keys are inserted where the
schema orders them. Lists of scalars are written in flow style (`tags: [vip, cable]`).
"""

from __future__ import annotations

import re

from crmcli.store import codec
from crmcli.store.schemas import resolve, schema


def same(a, b) -> bool:
    """Equal in value and type (so `True` is not `1`), recursively."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


FLOW_SAFE = re.compile(r"^[\w@.+/()][\w@.+\-/() ]*$")


def _flow_safe(value) -> bool:
    """Whether a value reads the same in flow style (`[vip, cable]`, `{at: …, status: draft}`)
    to every YAML parser; text with `?`, `:`, `,`, quotes or brackets makes it block style."""
    if isinstance(value, str):
        return bool(FLOW_SAFE.match(value) or codec.ISO_STAMP.match(value)) and not value.endswith(" ")
    return not isinstance(value, (dict, list))


def _children(node: dict | None, root: dict) -> tuple[dict, list[str]]:
    if not node:
        return {}, []
    node = resolve(node, root)
    properties = node.get("properties", {})
    return properties, list(properties)


def _item_node(node: dict | None, root: dict) -> dict | None:
    if not node:
        return None
    return resolve(node, root).get("items")


def _style_holds(old, text: str) -> bool:
    """Whether the quoting style of a hand-written scalar (`old`) can hold `text` exactly:
    a literal block cannot hold control characters or trailing spaces, single quotes no
    control characters or line breaks; double quotes hold anything."""
    # lazy: ruamel.yaml loads in 65 ms (python -X importtime); only writes need the round-trip codec
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString

    if isinstance(old, DoubleQuotedScalarString):
        return True
    if codec.UNPRINTABLE.search(text) or "\r" in text:
        return False  # only double quotes can hold these
    if isinstance(old, (LiteralScalarString, FoldedScalarString)):
        return codec.fits_block(text) and not isinstance(old, FoldedScalarString)
    return "\n" not in text


def _replace(target, key, value) -> None:
    """`target[key] = value`, keeping the old value's quoting style only where it can hold the
    new text (ruamel would keep it regardless and could write what no reader accepts)."""
    # lazy: ruamel.yaml loads in 65 ms (python -X importtime); only writes need the round-trip codec
    from ruamel.yaml.compat import ordereddict
    from ruamel.yaml.scalarstring import ScalarString

    old = target[key]
    if isinstance(value, str) and not isinstance(value, ScalarString) and isinstance(old, ScalarString) \
            and not _style_holds(old, value):
        (ordereddict if isinstance(target, dict) else list).__setitem__(target, key, value)
        return
    target[key] = value


def _merge(old_doc, old_plain, new, node: dict | None, root: dict):
    # lazy: ruamel.yaml loads in 65 ms (python -X importtime); only writes need the round-trip codec
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(new, dict):
        keep = isinstance(old_doc, CommentedMap) and isinstance(old_plain, dict)
        target = old_doc if keep else CommentedMap()
        if not keep and node and resolve(node, root).get("x-flow") and all(map(_flow_safe, new.values())):
            target.fa.set_flow_style()
        old_plain = old_plain if keep else {}
        properties, order = _children(node, root)
        rank = {key: index for index, key in enumerate(order)}
        for key in [k for k in target if k not in new]:
            del target[key]
        for key in sorted(new, key=lambda k: (rank.get(k, len(rank)), list(new).index(k))):
            if key in target and same(old_plain.get(key), new[key]):
                continue
            value = _merge(target.get(key), old_plain.get(key), new[key], properties.get(key), root)
            if key in target:
                _replace(target, key, value)
            else:
                position = sum(1 for k in target if rank.get(k, len(rank)) <= rank.get(key, len(rank)))
                target.insert(position, key, value)
        return target
    if isinstance(new, list):
        keep = isinstance(old_doc, CommentedSeq) and isinstance(old_plain, list)
        item = _item_node(node, root)
        if keep and len(old_doc) == len(old_plain):
            target = old_doc
            del target[len(new):]
            for index, value in enumerate(new):
                if index < len(old_plain):
                    if not same(old_plain[index], value):
                        _replace(target, index, _merge(target[index], old_plain[index], value, item, root))
                else:
                    target.append(_merge(None, None, value, item, root))
            return target
        target = CommentedSeq(_merge(None, None, value, item, root) for value in new)
        if new and all(_flow_safe(value) for value in new):
            target.fa.set_flow_style()
        return target
    return new


def render(record: dict, schema_name: str, old_text: str | None = None, old_plain: dict | None = None) -> str:
    """YAML text for `record`, merged into `old_text` (the file as it was) when given."""
    root = schema(schema_name)
    old_doc = codec.load_roundtrip(old_text) if old_text is not None else None
    document = _merge(old_doc, old_plain, record, root, root)
    return codec.dump(document)
