"""`crm export csv|json|jsonl|xlsx KIND [QUERY]`: records as a table whose columns are
field paths (`name`, `phones`, `contacts[0].name`), the same paths `crm import` reads
back without a mapping; json and jsonl carry the records as stored."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.kinds import KINDS, PARTY_KINDS, Kind, kind_named
from crmcli.model.record import Record
from crmcli.model.views import Column, Table
from crmcli.store.schemas import schema

INDEX = re.compile(r"\[(\d+)\]")
HANDLES = ("phones", "emails", "wechat", "im")
EXPORT_KINDS = ("customer", "supplier", "contact", "interaction", "product", "order", "purchase", "contract", "deal",
                "ticket", "campaign", "target")
"""What `crm export … KIND` takes (`order` sales, `purchase` purchases, `contact` a row per contact)."""


@dataclass(frozen=True)
class Selection:
    """What `KIND` names: a record kind, sales or purchase orders, or the parties' contacts."""

    kind: Kind
    direction: str | None = None
    contacts: bool = False


def selection(name: str) -> Selection:
    if name in ("purchase", "purchases"):
        return Selection(KINDS["order"], "purchase")
    if name in ("contact", "contacts"):
        return Selection(KINDS["customer"], contacts=True)
    kind = kind_named(name)
    return Selection(kind, "sale" if kind.name == "order" else None)


def records(repo, chosen: Selection, query: str = "") -> list[Record]:
    from crmcli.query.search import select

    kinds = PARTY_KINDS if chosen.contacts else (chosen.kind,)
    found = select(repo, query, kinds)
    if chosen.direction:
        found = [record for record in found if record.data.get("kind") == chosen.direction]
    return sorted(found, key=lambda record: record.ref)


def _mask_text(text: str, keep: int) -> str:
    digits = [i for i, c in enumerate(text) if c.isalnum()]
    hidden = set(digits[:-keep] if keep else digits)
    return "".join("*" if i in hidden else c for i, c in enumerate(text))


def mask(field: str, value: str) -> str:
    """A phone with all but its last four digits starred, an email with only its first
    letter and domain, a messenger handle starred."""
    if field == "emails" and "@" in value:
        local, _at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return _mask_text(value, 4 if field == "phones" else 0)


FREE_TEXT = ("notes", "note", "body", "summary", "description")
"""Fields people write sentences in: phone numbers, e-mails and id numbers get into them too."""
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NUMBER = re.compile(r"\+?\d[\d \-()]{5,}\d[Xx]?")
"""A run of digits with the separators phone numbers use: a phone, or an id or account number."""
DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
BIRTHDAY = "birthday"


def _mask_number(found: re.Match) -> str:
    text = found.group()
    if DAY.fullmatch(text) or sum(c.isdigit() for c in text) < 7:
        return text  # a date, or a short number (a quantity, a room)
    return _mask_text(text, 4)


def scrubbed(text: str) -> str:
    """Free text with the e-mails, phone numbers and id numbers in it masked as fields are."""
    text = EMAIL.sub(lambda found: mask("emails", found.group()), text)
    return NUMBER.sub(_mask_number, text)


def redacted(data):
    """A copy of a record with phones, emails, messenger handles and dates of birth masked, at
    any depth, and the same inside free text (notes, bodies, summaries)."""
    if isinstance(data, list):
        return [redacted(item) for item in data]
    if not isinstance(data, dict):
        return data
    masked: dict[str, object] = {}
    for key, value in data.items():
        if key in HANDLES and isinstance(value, list):
            masked[key] = [mask(key, str(item)) for item in value]
        elif key in HANDLES and isinstance(value, dict):
            masked[key] = {name: mask(key, str(handle)) for name, handle in value.items()}
        elif key in HANDLES and isinstance(value, str):
            masked[key] = mask(key, value)
        elif key == BIRTHDAY and value is not None:
            masked[key] = "****"
        elif key in FREE_TEXT and isinstance(value, str):
            masked[key] = scrubbed(value)
        else:
            masked[key] = redacted(value)
    return masked


def flatten(value, path: str = ""):
    """(field path, value) pairs: nested groups by dots, lists of groups by position, lists
    of plain values whole (CSV joins them with `; `)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        for position, item in enumerate(value):
            yield from flatten(item, f"{path}[{position}]")
    else:
        yield path, value


CELL_TYPES = {"date": "date", "moment": "moment", "money": "money"}
"""The shared schema definitions a spreadsheet writes as typed cells, by the cell type they get."""


def _resolved(base: dict, node: dict) -> tuple[dict, dict]:
    """`node` with its `$ref`s followed ((the schema it is in, the definition)), and the name
    of the shared definition it came from under the key `x-defined-as`."""
    name = None
    while "$ref" in node:
        where, _hash, pointer = str(node["$ref"]).partition("#")
        if where:
            base = schema(where.rsplit(":", 1)[-1])
        node = base
        for key in pointer.strip("/").split("/"):
            node = node[key]
        name = pointer.rsplit("/", 1)[-1]
    return base, {**node, "x-defined-as": name} if name else node


def cell_type(root: dict, path: str) -> str | None:
    """The spreadsheet type of a field path (`lines[0].unit_price` → money) in a kind's
    schema, or None when it is plain (or not in the schema)."""
    base, node = root, root
    for part in INDEX.sub("", path).split("."):
        base, node = _resolved(base, node)
        if node.get("type") == "array":
            base, node = _resolved(base, node.get("items") or {})
        found = (node.get("properties") or {}).get(part)
        if found is None:
            return None
        node = found
    _base, node = _resolved(base, node)
    return CELL_TYPES.get(node.get("x-defined-as") or "")


def _contact_rows(found: list[Record]) -> list[dict]:
    return [{"party": record.ref, "party_name": record.data.get("name"), **copy.deepcopy(contact)}
            for record in found for contact in record.data.get("contacts") or []]


def export_table(repo, kind_name: str, query: str = "", redact: bool = False) -> Table:
    """The records of a kind that match `query`, as a table of field paths."""
    chosen = selection(kind_name)
    found = records(repo, chosen, query)
    rows = _contact_rows(found) if chosen.contacts else [record.data for record in found]
    if redact:
        rows = [redacted(row) for row in rows]
    root = schema(chosen.kind.schema)
    order = list(root.get("properties", {}))
    if chosen.contacts:
        order = ["party", "party_name"] + list(root["$defs"]["contact"]["properties"])
        root = {**root, "properties": root["$defs"]["contact"]["properties"]}
    flat = [dict(flatten(row)) for row in rows]
    seen: dict[str, int] = {}
    for row in flat:
        for path in row:
            seen.setdefault(path, len(seen))

    def position(path: str) -> tuple:
        top = re.split(r"[.\[]", path, maxsplit=1)[0]
        return (order.index(top) if top in order else len(order), [int(i) for i in INDEX.findall(path)], seen[path])

    columns = [Column(path, path, cell=cell_type(root, path)) for path in sorted(seen, key=position)]
    what = "contacts" if chosen.contacts else chosen.kind.folder
    return Table(columns, flat, records=rows, empty=_("no {records} to export").format(records=what))


def xlsx_target(query: list[str] | None, output):
    """`crm export xlsx KIND [QUERY] FILE`: the file is the last word when it ends in .xlsx."""
    from pathlib import Path

    words = list(query or [])
    if output is None and words and words[-1].lower().endswith(".xlsx"):
        output = Path(words.pop())
    if output is None:
        raise InvalidValue(_("crm export xlsx needs a file: crm export xlsx KIND [QUERY] FILE.xlsx (or --output)"))
    return words, output
