"""Setting a record's field from `FIELD=VALUE` text, typed by the kind's schema.

`--set industry=制造`, `--set addresses[0].city=深圳`, `--set tags=vip,cable`,
`--set primary=true`, `--set amount=12000`, `--set next.due=friday`; an empty value
(`--set website=`) removes the field. Given the data directory's clock, dates are read as
people type them (the parser of model/dates.py); money is a Decimal in the record's currency.
"""

from __future__ import annotations

import re
from typing import Any

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import Clock, moment_text, parse_day, parse_due, parse_moment
from crmcli.model.money import MINOR_UNITS, parse_amount, parse_decimal
from crmcli.store.schemas import field_node, resolve, schema

PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
PROTECTED = {"id", "created", "updated"}


def parse_path(text: str) -> list[str | int]:
    """`contacts[0].title` → ["contacts", 0, "title"]."""
    parts: list[str | int] = []
    for name, index in PATH_PART.findall(text.strip()):
        if index:
            parts.append(int(index))
        elif name.isdigit():
            parts.append(int(name))
        else:
            parts.append(name)
    if not parts or not isinstance(parts[0], str):
        raise InvalidValue(_("invalid field {text!r}").format(text=text))
    return parts


def _date_form(node: dict) -> str | None:
    """`date`, `moment`, or `due` (either, as a reminder's) for a date field; else None."""
    if node.get("format") in ("date", "moment"):
        return node["format"]
    forms = {resolve(option, schema("common")).get("format") for option in node.get("oneOf", [])}
    return "due" if forms == {"date", "moment"} else None


def _typed_date(raw: str, form: str, clock: Clock) -> str:
    if form == "date":
        return parse_day(raw, clock).isoformat()
    if form == "moment":
        return moment_text(parse_moment(raw, clock))
    return parse_due(raw, clock)


def _is_money(node: dict) -> bool:
    return node == schema("common")["$defs"]["money"]


def _convert(raw: str, node: dict, field: str, clock: Clock | None = None):
    kind = node.get("type")
    form = _date_form(node)
    if form and clock is not None:
        return _typed_date(raw, form, clock)
    if node.get("format") == "currency":
        return raw.strip().upper()
    if "enum" in node and raw not in [str(v) for v in node["enum"]]:
        raise InvalidValue(_("{field}: {value!r} is not one of {allowed}").format(
            field=field, value=raw, allowed=", ".join(map(str, node["enum"]))))
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in ("true", "yes", "y", "1", "on"):
            return True
        if lowered in ("false", "no", "n", "0", "off"):
            return False
        raise InvalidValue(_("{field}: {value!r} is not true or false").format(field=field, value=raw))
    if kind in ("number", "integer"):
        value = parse_decimal(raw, field)
        if kind == "integer":
            if value != value.to_integral_value():
                raise InvalidValue(_("{field}: {value!r} is not a whole number").format(field=field, value=raw))
            return int(value)
        return value
    if kind == "array":
        items = node.get("items", {})
        return [_convert(item.strip(), items, field, clock) for item in raw.split(",") if item.strip()]
    if kind == "object":
        raise InvalidValue(_("{field}: is a group of fields; set its parts ({field}.NAME=VALUE)").format(field=field))
    return raw


def kept_by(schema_name: str, field: str) -> str | None:
    """The command that changes `field` (its schema's `x-kept-by`), where --set must not: a
    status and its history move together (`crm deal move`), totals follow lines."""
    return schema(schema_name).get("properties", {}).get(field, {}).get("x-kept-by")


def set_field(record: dict, schema_name: str, assignment: str, clock: Clock | None = None) -> None:
    """Apply one `FIELD=VALUE` to `record` in place (dates typed through `clock` when given)."""
    if "=" not in assignment:
        raise InvalidValue(_("--set {assignment!r}: use FIELD=VALUE").format(assignment=assignment))
    path_text, raw = assignment.split("=", 1)
    field = str(parse_path(path_text)[0])  # parse_path refuses a path that starts with an index
    if field in PROTECTED:
        raise InvalidValue(_("{field}: cannot be changed with --set").format(field=field))
    command = kept_by(schema_name, field)
    if command:
        raise InvalidValue(_("{field}: changed with {command}, which keeps what goes with it (history, "
                             "totals)").format(field=field, command=command))
    assign(record, schema_name, path_text, raw, clock)


def checked_path(schema_name: str, path_text: str) -> tuple[list[str | int], dict]:
    """A field's path and its schema node; an unknown field is refused, naming the known ones."""
    path = parse_path(path_text)
    node = field_node(schema_name, [str(part) for part in path])
    if node is None:
        known = ", ".join(schema(schema_name).get("properties", {}))
        raise InvalidValue(_("unknown field {field!r} (fields: {known})").format(field=path_text, known=known))
    return path, node


def assign(record: dict, schema_name: str, path_text: str, raw: str, clock: Clock | None = None) -> None:
    """Set the field at `path_text` from text, typed by the schema (for --set and imports).
    With `clock`, a date is read as typed (`friday`, `+3d`); without, it must be ISO already."""
    path, node = checked_path(schema_name, path_text)
    target: Any = record  # the dict or list the path has reached
    for position, part in enumerate(path[:-1]):
        following = path[position + 1]
        if isinstance(part, int):
            if part == len(target):
                target.append([] if isinstance(following, int) else {})
            elif part > len(target):
                raise InvalidValue(_("{field}: there is no item {position} (it has {count})").format(
                    field=path_text, position=part, count=len(target)))
        elif part not in target:
            target[part] = [] if isinstance(following, int) else {}
        target = target[part]
    last = path[-1]
    if raw == "":
        if isinstance(last, int):
            if last < len(target):
                del target[last]
        else:
            target.pop(last, None)
        return
    if _is_money(node) and record.get("currency") in MINOR_UNITS:
        value = parse_amount(parse_decimal(raw, path_text), record["currency"])
    else:
        value = _convert(raw, node, path_text, clock)
    if isinstance(last, int):
        if last > len(target):
            raise InvalidValue(_("{field}: there is no item {position} (it has {count})").format(
                field=path_text, position=last, count=len(target)))
        if last == len(target):
            target.append(value)
        else:
            target[last] = value
    else:
        target[last] = value
