"""JSON that keeps Decimals exact: written as number literals, read back as Decimals."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal

from crmcli.model.locked import MARK, Locked, relock

_MARK = "\x00dec:"
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
"""Characters JSON may carry raw but a terminal or a JavaScript reader must not get raw:
C1 controls (\\x9b starts an escape sequence), line separators, bidi overrides."""
_MARKED = re.compile(r'"\\u0000dec:(-?[0-9.E+]+)"')


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text that every reader takes for a Decimal again, not an integer:
    `1234.50`, and a whole one with a point (`3702.0`, where `3702` would come back as an int)."""
    text = format(value, "f")
    return text if "." in text else text + ".0"


def _plain(value):
    if isinstance(value, Locked):
        return value.envelope  # kept as stored: `loads` makes it a Locked again
    if isinstance(value, Decimal):
        return _MARK + decimal_text(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _marked(value):
    """`_plain` for json's encoder to call on what it cannot write itself."""
    if isinstance(value, (Decimal, date, datetime)):
        return _plain(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def dumps(value, indent: int | None = None, *, unlocked: bool = False) -> str:
    """JSON text; Decimals become exact number literals. Text holding NUL never reaches
    here (the codec refuses it), so the marker cannot collide with data. `unlocked`: a
    value with text keys and no Locked in it (as the codec reads a file without envelopes),
    written by json's encoder without a copy made first (a Locked is text to it)."""
    plain = value if unlocked else _plain(value)
    text = _MARKED.sub(r"\1", json.dumps(plain, ensure_ascii=False, indent=indent, default=_marked))
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def loads(text: str):
    """The value of JSON `text`; an encrypted value's envelope comes back as a Locked."""
    value = json.loads(text, parse_float=Decimal)
    return relock(value) if MARK in text else value
