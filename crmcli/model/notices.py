"""Warnings as data: what a command skipped, left out or noticed, with where, so the face
prints them and other code reads them without parsing text back."""

from __future__ import annotations

from typing import NamedTuple

SKIPPED = "skipped"
"""A file or folder that could not be read and was left out."""
LEFT_OUT = "left-out"
"""Records left out of a figure (a sale in a currency without a rate)."""
FUZZY = "fuzzy"
"""A name matched by close spelling, not exactly."""
SET_UP = "set-up"
"""crm set the repository up for itself: a fresh clone got the merge driver and the hook."""
NOTE = "note"
"""Anything else worth saying: the index moved to memory, a write recovered or not committed."""


class Notice(NamedTuple):
    """One warning: `message` is the whole line as shown (naming the place when there is
    one); `path` (relative to the data directory) and `line` say where, `kind` what. A named
    tuple, not a frozen dataclass: every command defines it at start-up, at a fifth of the cost;
    `str()` and formatting give the message, never the tuple."""

    message: str
    path: str | None = None
    line: int | None = None
    kind: str = NOTE

    def __str__(self) -> str:
        return self.message
