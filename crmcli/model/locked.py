"""A value the reader holds no key for: the sentinel that stands for an encrypted field.

Protected fields are stored as `ENC[age,<recipients stamp>,<base64 age ciphertext>]` (see
store/sealing.py). A reader whose key opens it sees the value; anyone else gets a `Locked`,
which is text ("🔒") wherever it is shown, searched or joined, and carries the stored envelope
so that writing the record back keeps the ciphertext exactly as it was.
"""

from __future__ import annotations

import re

LOCK = "🔒"
MARK = "ENC[age,"
ENVELOPE = re.compile(r"ENC\[age,([0-9a-f]{12}),([A-Za-z0-9+/]+={0,2})\]\Z")
"""An envelope: the age ciphertext in base64, after a stamp of the recipients it was sealed to."""


class Locked(str):
    """Text that reads 🔒 and remembers the envelope it stands for."""

    envelope: str

    def __new__(cls, envelope: str) -> Locked:
        value = super().__new__(cls, LOCK)
        value.envelope = envelope
        return value

    def __reduce__(self):
        return Locked, (self.envelope,)

    def __copy__(self) -> Locked:
        return self

    def __deepcopy__(self, memo) -> Locked:
        return self

    def __repr__(self) -> str:
        return f"Locked({self.envelope[:24]}…)"


def holds_envelopes(data: bytes) -> bool:
    """Whether a file's bytes may hold an envelope (the cheap test before any walk): only then
    is store/sealing.py loaded to open them."""
    return MARK.encode() in data


def is_envelope(value) -> bool:
    return isinstance(value, str) and not isinstance(value, Locked) and value.startswith(MARK) \
        and ENVELOPE.match(value) is not None


def relock(value):
    """`value` with every envelope text in it turned into a Locked (the index keeps locked values
    as their envelopes; see jsonish)."""
    if isinstance(value, dict):
        return {key: relock(item) for key, item in value.items()}
    if isinstance(value, list):
        return [relock(item) for item in value]
    return Locked(value) if is_envelope(value) else value


def _sealed(value) -> bool:
    return isinstance(value, Locked) or (isinstance(value, str) and value.startswith(MARK))


def without_locked(value):
    """`value` with the locked and still sealed fields left out: what can be checked against a
    schema (a sealed list of phones is one envelope, not a list; a file read as it is, by
    `crm check` or the pre-commit hook, holds envelopes)."""
    if isinstance(value, dict):
        return {key: without_locked(item) for key, item in value.items() if not _sealed(item)}
    if isinstance(value, list):
        return [without_locked(item) for item in value if not _sealed(item)]
    return value


def holds_locked(value) -> bool:
    if isinstance(value, dict):
        return any(holds_locked(item) for item in value.values())
    if isinstance(value, list):
        return any(holds_locked(item) for item in value)
    return isinstance(value, Locked)
