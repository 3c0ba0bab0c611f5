"""Schema validation with messages a person can act on, and line numbers from the file."""

from __future__ import annotations

import re
from typing import NamedTuple

from crmcli.errors import CrmError, ValidationFailed
from crmcli.i18n import N_, _
from crmcli.model.chronology import out_of_order
from crmcli.model.kinds import Kind
from crmcli.model.locked import without_locked
from crmcli.model.money import MINOR_UNITS
from crmcli.store import codec
from crmcli.store.schemas import accepts, validator


class Problem(NamedTuple):
    """One thing wrong with one file: `path:line: message` when printed. A named tuple: every
    command loads this module, and a frozen dataclass costs it about 0.5 ms to define."""

    path: str
    message: str
    line: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


FOREIGN_SECRET = N_("{field}: {value!r} is refused: the password variable must start with CRM_SMTP_, so that no "
                    "setting can send another secret")
ONE_OF = N_("{field}: {value!r} is not one of {allowed}")
BOUNDS = {
    "minimum": N_("{field} cannot be less than {limit}: {value}"),
    "exclusiveMinimum": N_("{field} must be more than {limit}: {value}"),
    "maximum": N_("{field} cannot be more than {limit}: {value}"),
    "exclusiveMaximum": N_("{field} must be less than {limit}: {value}"),
}
"""Messages for a number out of its schema's range (a negative deal amount), with the number as
written (`-5.00`), not as Python shows it (`Decimal('-5.00')`)."""
PATTERN_MESSAGES = {
    "^contracts/": N_("{field}: {value!r} is not a document in contracts/ (contracts/<id>.md)"),
    "^attachments/": N_("{field}: {value!r} is not a file in a folder of attachments/ (attachments/<id>/<file>)"),
    "@": N_("{field}: {value!r} is not a valid email address"),
    "T[0-9]{2}": N_("{field}: {value!r} is not an ISO moment with a zone from 1900 to 2999 "
                    "(2026-11-22T14:30:00+08:00)"),
    "[0-9]{3})-[0-9]{2}-[0-9]{2}$": N_("{field}: {value!r} is not an ISO date from 1900 to 2999 (2026-11-22)"),
    "[1-9][0-9]?y)$": N_("{field}: {value!r} is not an interval such as 30d, 2w, 1m or 1y "
                         "(at most 9999d, 999w, 999m or 99y)"),
    "{0,2}[dw]": N_("{field}: {value!r} is not an interval of at most 999 days or weeks or 99 months or years "
                    "(30d, 2w, 1m, 1y)"),
    "{0,2}[hd]": N_("{field}: {value!r} is not a duration of at most 999 hours or days (4h, 3d)"),
    "^CRM_SMTP_": FOREIGN_SECRET,
    "._:": N_("{field}: {value!r} is not a host name or address"),
    "(?:en|zh)": N_("{field}: {value!r} is not a language crm speaks (en or zh)"),
    "^[A-Z]{3}$": N_("{field}: {value!r} is not a currency code (ISO 4217, three capitals: CNY, EUR, USD)"),
    "a-z0-9": N_("{field}: {value!r} is not a valid id (lowercase letters, digits and dashes)"),
    "0-9A-HJKMNP": N_("{field}: {value!r} is not a valid record id (PREFIX-YYYYMMDD-XXXX)"),
    "+() ": N_("{field}: {value!r} is not a phone number"),
    "^[^\\s,]+$": N_("{field}: {value!r} is not a single word (tags have no spaces or commas)"),
}
FORMAT_MESSAGES = {
    "date": N_("{field}: {value!r} is not an existing date (YYYY-MM-DD)"),
    "moment": N_("{field}: {value!r} is not an existing moment with a zone"),
    "birthday": N_("{field}: {value!r} is not an existing day (YYYY-MM-DD or MM-DD)"),
    "currency": N_("{field}: unknown currency code {value!r} (ISO 4217: CNY, EUR, USD…)"),
    "zone": N_("{field}: unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)"),
    "repeat": N_("{field}: {value!r} is not a repeat rule within bounds (2w, 1m, monday, 3rd monday or an RRULE)"),
}


def field_path(parts) -> str:
    """`contacts[0].emails[1]` from a jsonschema path."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def describe(error) -> str:
    """A readable message for one jsonschema error."""
    where = field_path(error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        field = f"{where}." if where else ""
        return _("unknown field {fields}").format(fields=", ".join(field + name for name in extra))
    if error.validator == "pattern":
        for marker, message in PATTERN_MESSAGES.items():
            if marker in error.validator_value:
                return _(message).format(field=where, value=error.instance)
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return _(ONE_OF).format(field=where, value=error.instance,
                                                                      allowed=allowed)
    if error.validator == "type":
        return _("{field}: {value!r} is not of type {type}").format(field=where, value=error.instance,
                                                                    type=error.validator_value)
    if error.validator == "format":
        message = FORMAT_MESSAGES.get(error.validator_value, N_("{field}: {value!r} is not {format}"))
        return _(message).format(field=where, value=error.instance, format=error.validator_value)
    if error.validator in BOUNDS:
        return _(BOUNDS[error.validator]).format(field=where, value=error.instance, limit=error.validator_value)
    if error.validator == "required":
        return f"{where + ': ' if where else ''}{error.message}"
    if error.validator == "dependentRequired":
        needing = _needing(error)
        return _("{field} needs {wanted} beside it").format(field=(where + "." if where else "") + needing,
                                                            wanted=", ".join(error.validator_value[needing]))
    return f"{where}: {error.message}" if where else error.message


def _needing(error) -> str:
    """For a dependentRequired error, the field present whose companion is missing."""
    return next(key for key, wanted in error.validator_value.items()
                if key in error.instance and any(w not in error.instance for w in wanted))


def _field_of(error) -> list:
    """Where an error points: for an unknown field, the field itself (so its line is found)."""
    path = list(error.absolute_path)
    if error.validator == "dependentRequired":
        path.append(_needing(error))
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        if extra:
            path.append(extra[0])
    return path


def document_problems(schema: str, document) -> list[tuple[list, str]]:
    """(field path, message) for each way `document` breaks the JSON Schema named `schema`."""
    if accepts(schema)(document):
        return []
    errors = sorted(map(_closest, validator(schema).iter_errors(document)),
                    key=lambda e: [str(p) for p in e.absolute_path])
    return [(_field_of(error), describe(error)) for error in errors]


def _closest(error):
    """For a value that fits none of several shapes (`true`, or a mapping of thresholds), what
    is wrong with the shape it comes closest to, rather than "not valid under any"."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    return error


def schema_problems(kind: Kind, record: dict, path: str = "", *, sealed: bool = True) -> list[tuple[list, str]]:
    """(field path, message) for each way `record` breaks its kind's schema or rules. A locked
    value (encrypted for others) is not checked: only those who can read it can. Not
    `sealed`: read from a file without envelopes, it has none to leave out."""
    if sealed:
        record = without_locked(record)
    problems = document_problems(kind.schema, record)
    problems += [([field], _("{field} applies to {kinds} only").format(field=field,
                                                                       kinds=", ".join(_(k) for k in kinds)))
                 for field, kinds in kind.only_for.items() if field in record and kind.name not in kinds]
    code = record.get("currency")
    if isinstance(code, str) and code not in MINOR_UNITS and not problems:
        problems.append((["currency"], _("currency: unknown currency code {code!r} (ISO 4217: CNY, EUR, USD…)")
                         .format(code=code)))
    return problems


def refuse_invalid(kind: Kind, record: dict, where: str | None = None, text: str | None = None, *,
                   error: type[CrmError] = ValidationFailed) -> None:
    """The one check of a record about to be written, by a command, an edit in $EDITOR or an
    import: its first problem, worded as `crm check` words it, raised as `error` at `where`
    (with the line, when the record's YAML `text` is at hand). An import reports it as a
    row's invalid value, which it can skip. Dates out of order are refused here too, though a
    file holding them is still read (see model/chronology.py)."""
    problems = schema_problems(kind, record) or out_of_order(kind.name, without_locked(record))
    if problems:
        field, message = problems[0]
        line = line_of(text, field) if text is not None else None
        raise error(message, where=f"{where}:{line}" if where and line else where)


PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NOT_TEXT = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
"""Keys a YAML 1.1 reader (ruamel under a `%YAML 1.1` directive) could take for a boolean or null."""


def line_of(text: str, field: list) -> int | None:
    """The 1-based line where a field sits in a YAML file, from ruamel's position data.
    Where the answer cannot differ (every key on the way a plain word, no anchors, aliases or
    directives), libyaml's nodes give the same line several times faster: `crm check` of
    100k generated records asks for thousands of lines."""
    line = codec.field_line(text, field, _plain_path)
    return line if line is not None else _ruamel_line_of(text, field)


def _plain_path(field: list) -> bool:
    return bool(field) and all(isinstance(part, int) or (isinstance(part, str) and PLAIN_KEY.match(part)
                                                         and part.lower() not in NOT_TEXT) for part in field)


def _ruamel_line_of(text: str, field: list) -> int | None:
    try:
        node = codec.load_roundtrip(text)
    except Exception:
        return None
    line = 1
    for part in field:
        try:
            if isinstance(part, int):
                line = node.lc.item(part)[0] + 1
            else:
                line = node.lc.key(part)[0] + 1
            node = node[part]
        except (AttributeError, KeyError, IndexError, TypeError):
            break
    return line
