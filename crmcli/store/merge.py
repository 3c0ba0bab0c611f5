"""The git merge driver for records: a three-way merge, field by field.

Git runs it (`crm git merge-driver %O %A %B %P`, set up by `crm git install-hooks`) for
each `*.yaml` file that both sides changed. A field changed on one side takes that
side's value; lists both sides appended to keep both additions (a payment here, a
status move there); lists of plain values (tags, phones) merge as sets; `updated` takes
the later moment. Only a field both sides changed differently is a conflict: the file
then holds standard conflict markers around that field alone, and git reports it.
Files that are not records, or that do not parse, get git's own line merge.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crmcli.model.kinds import kind_of_ref
from crmcli.store import codec, document
from crmcli.store.config import CONFIG_FILE
from crmcli.store.fs import atomic_write
from crmcli.store.git import merge_file

MISSING = object()
"""A field one version does not have."""
MARKER = 7


@dataclass
class Merged:
    text: str
    conflicts: list[str]
    """Field paths both sides changed differently (`phones`, `contacts[0].title`)."""


def _later(ours: str, theirs: str) -> str:
    try:
        return max(ours, theirs, key=lambda text: datetime.fromisoformat(text).timestamp())
    except (TypeError, ValueError):
        return max(ours, theirs)


def _scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _merge(base, ours, theirs, path: str, conflicts: list[str]):
    """The merged value twice: taking our side of any conflict, and taking theirs."""
    if document.same(ours, theirs) or document.same(base, theirs):
        return ours, ours
    if document.same(base, ours):
        return theirs, theirs
    if path == "updated" and isinstance(ours, str) and isinstance(theirs, str):
        later = _later(ours, theirs)
        return later, later
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_maps(base if isinstance(base, dict) else {}, ours, theirs, path, conflicts)
    if isinstance(ours, list) and isinstance(theirs, list):
        merged = _merge_lists(base if isinstance(base, list) else [], ours, theirs, path, conflicts)
        if merged is not None:
            return merged
    conflicts.append(path)
    return ours, theirs


def _merge_maps(base: dict, ours: dict, theirs: dict, path: str, conflicts: list[str]):
    left, right = {}, {}
    for key in list(ours) + [key for key in theirs if key not in ours]:
        mine, other = _merge(base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING),
                             f"{path}.{key}" if path else key, conflicts)
        if mine is not MISSING:
            left[key] = mine
        if other is not MISSING:
            right[key] = other
    return left, right


def _merge_lists(base: list, ours: list, theirs: list, path: str, conflicts: list[str]):
    """Plain values as sets, unless both sides replaced some (took items out and put others
    in); otherwise the base's items merged one by one and both sides' appended items
    kept. None when that cannot be done (left to a conflict)."""
    if all(map(_scalar, base + ours + theirs)):
        if _replaced(base, ours) and _replaced(base, theirs):
            return None
        kept = [item for item in ours if item in theirs or item not in base]
        merged = kept + [item for item in theirs if item not in ours and item not in base]
        return merged, merged
    size = len(base)
    if len(ours) < size or len(theirs) < size:
        return None
    pairs = [_merge(base[i], ours[i], theirs[i], f"{path}[{i}]", conflicts) for i in range(size)]
    added = ours[size:] + [item for item in theirs[size:] if not any(document.same(item, o) for o in ours[size:])]
    return [mine for mine, _ in pairs] + added, [other for _, other in pairs] + added


def _replaced(base: list, side: list) -> bool:
    return any(item not in side for item in base) and any(item not in base for item in side)


def _decode(text: str) -> dict:
    return codec.decode(text.encode("utf-8")) if text.strip() else {}


def _blocks(text: str) -> dict[str, tuple[int, int]]:
    """Each top-level field's lines in `text`: (first, end), 0-based, end excluded; comments
    and blank lines just before the next field go with that field."""
    lines = text.splitlines()
    document_ = codec.load_roundtrip(text)
    starts = sorted((document_.lc.key(key)[0], key) for key in document_)
    blocks = {}
    for (start, key), end in zip(starts, [start for start, _ in starts[1:]] + [len(lines)], strict=True):
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        blocks[key] = (start, end)
    return blocks


def _mark(text: str, theirs: dict, schema: str, fields: list[str]) -> str:
    """`text` (our side of each conflict) with markers around each field in `fields`,
    the other side holding theirs."""
    lines = text.splitlines(keepends=True)
    blocks = _blocks(text)
    order = list(theirs)
    for field in sorted(fields, key=lambda f: blocks.get(f, (len(lines),))[0], reverse=True):
        if field in blocks:
            start, end = blocks[field]
        else:
            following = [blocks[key][0] for key in order[order.index(field) + 1:] if key in blocks]
            start = end = following[0] if following else len(lines)
        other = document.render({field: theirs[field]}, schema) if field in theirs else ""
        lines[start:end] = ["<" * MARKER + " ours\n", *lines[start:end], "=" * MARKER + "\n", other,
                            ">" * MARKER + " theirs\n"]
    return "".join(lines)


def merge_record(base_text: str, ours_text: str, theirs_text: str, schema: str) -> Merged:
    """Three versions of a record merged field by field (RecordSyntaxError if one does not parse)."""
    base, ours, theirs = _decode(base_text), _decode(ours_text), _decode(theirs_text)
    conflicts: list[str] = []
    left, right = _merge(base, ours, theirs, "", conflicts)
    text = document.render(left, schema, ours_text, ours) if ours else document.render(left, schema)
    fields = sorted({conflict.split(".")[0].split("[")[0] for conflict in conflicts})
    return Merged(_mark(text, right, schema, fields) if fields else text, conflicts)


def record_kind(name: str):
    """The kind of the file `name` (relative to the current folder, as git gives it) by
    its place in the nearest data directory above it; None for other files."""
    path = Path(name)
    for folder in path.parents:
        if (folder / CONFIG_FILE).is_file():
            return kind_of_ref(path.relative_to(folder).as_posix())
    return None


def merge_files(base: Path, ours: Path, theirs: Path, name: str) -> list[str]:
    """Merge into `ours` as git asks of a merge driver; returns what conflicts (empty when
    clean): field paths of a record, or `lines` of a file merged as text (any other file,
    or a record that cannot be merged by field: it does not parse, say)."""
    kind = record_kind(name)
    if kind is not None:
        try:
            base_text, ours_text, theirs_text = (path.read_bytes().decode("utf-8") for path in (base, ours, theirs))
            merged = merge_record(base_text, ours_text, theirs_text, kind.schema)
        except Exception:  # whatever stops a merge by field, git's merge by line still runs
            pass
        else:
            atomic_write(ours, merged.text.encode("utf-8"))
            return merged.conflicts
    return [] if merge_file(ours, base, theirs) else ["lines"]


TOP_KEY = re.compile(r"^([^\s#:<=>-][^:]*):(?:\s|$)")


def conflicted_fields(text: str) -> list[tuple[int, str]]:
    """(line, field) of each block between conflict markers in a file: the field is the
    first top-level key inside the block ("lines" when there is none, as in a text merge)."""
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines):
        if line.startswith("<" * MARKER):
            block = itertools.takewhile(lambda text: not text.startswith(">" * MARKER), lines[number + 1:])
            keys = [match[1] for match in map(TOP_KEY.match, block) if match]
            found.append((number + 1, keys[0] if keys else "lines"))
    return found
