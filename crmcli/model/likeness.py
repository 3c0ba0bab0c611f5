"""Whether two parties are likely the same company or person: shared keys and a score.

The keys (normalised name, email, phone, tax id) are what an import checks new rows
against; the score ranks the pairs `crm check --duplicates` lists.
"""

from __future__ import annotations

import re
from typing import TypeVar

from crmcli.i18n import N_, _
from crmcli.model.ids import strip_legal_form
from crmcli.model.locked import Locked
from crmcli.model.text import compact, fold

Key = TypeVar("Key")

SURE = 100
"""The score of a pair that shares an email, a phone or a tax id."""


def phone_key(phone: str) -> str:
    """The last nine digits: the same number written with or without a country code."""
    digits = re.sub(r"\D", "", phone)
    return digits[-9:] if len(digits) >= 7 else ""


def name_key(name: str) -> str:
    return compact(strip_legal_form(str(name or "")))


def duplicate_keys(data: dict) -> list[tuple[str, str]]:
    """What two records of the same person or company would share: name, email, phone, tax id."""
    keys = []
    name = name_key(data.get("name", ""))
    if name:
        keys.append((N_("name"), name))
    keys += [(N_("email"), fold(str(e))) for e in _listed(data.get("emails"))]
    keys += [(N_("phone"), key) for key in (phone_key(str(p)) for p in _listed(data.get("phones"))) if key]
    if data.get("tax_id") and _plain(data["tax_id"]):
        keys.append((N_("tax id"), compact(str(data["tax_id"]))))
    return keys


def _listed(values) -> list:
    """The plain values of a list field; nothing for a value this reader cannot open (a
    protected field sealed to others reads as one `Locked`, which every party would share)."""
    return [value for value in values if _plain(value)] if isinstance(values, list) else []


def _plain(value) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, Locked)


def likeness(a: dict, b: dict, name_score: float) -> tuple[int, list[str]]:
    """A score from 0 to 100 for two parties, and what they share. `name_score` is the
    fuzzy similarity of their names (0–100), computed by the caller in bulk."""
    keys_a = set(duplicate_keys(a))
    shared = sorted({what for what, key in keys_a & set(duplicate_keys(b))} - {"name"})
    if shared:
        return SURE, [_("same {key}").format(key=_(what)) for what in shared]
    if name_key(a.get("name", "")) == name_key(b.get("name", "")):
        return 95, [_("same name")]
    return int(round(name_score)), [_("similar name")]


CLOSE_SPELLING = 72
"""The one cut-off (rapidfuzz's WRatio, 0–100) from which a name counts as a typo of what was
typed, for name resolution and `crm search`'s fallback alike. They were 72 and 70; the
stricter won, since resolution picks the party a command writes to."""


def close_spellings(typed: str, choices: dict[Key, str], limit: int | None) -> list[tuple[Key, float]]:
    """(key, score) of the `choices` (key → folded name) spelled close to `typed` (folded), best first."""
    # Imported here: rapidfuzz costs about 230 ms to import (python -X importtime), and only a
    # query that matched nothing exactly needs it.
    # lazy: rapidfuzz loads in 18 ms (python -X importtime); only fuzzy name matching needs it
    from rapidfuzz import fuzz, process

    return [(key, score) for _text, score, key in process.extract(typed, choices, scorer=fuzz.WRatio,
                                                                   score_cutoff=CLOSE_SPELLING, limit=limit)]
