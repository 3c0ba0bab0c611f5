"""Text folding for matching in any script: case, accents, width, and pinyin for Chinese.

`fold("Müller")` == `fold("MULLER")` == "muller"; `fold("Straße")` == "strasse".
Pinyin needs pypinyin, whose dictionary takes a quarter second to load, so it is
computed when a record is indexed, never while answering a query.
"""

from __future__ import annotations

import re
import unicodedata

CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SPACES = re.compile(r"\s+")
NON_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower-case, accent-free, width-normalised text for comparisons."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return SPACES.sub(" ", stripped.casefold().replace("ı", "i")).strip()


def compact(text: str) -> str:
    """`fold` without spaces or punctuation: `Acme Corp.` → `acmecorp`, `zhang wei` → `zhangwei`."""
    return NON_WORD.sub("", fold(text)).replace("_", "")


def has_cjk(text: str) -> bool:
    return bool(CJK_CHAR.search(text))


def pinyin_forms(text: str) -> tuple[str, str] | None:
    """The pinyin syllables (space-separated) and the initials of `text` when it has Chinese
    characters (张伟 → "zhang wei", "zw"), else None. Other words are kept, folded."""
    if not has_cjk(text):
        return None
    from pypinyin import Style, lazy_pinyin

    syllables = [compact(s) for s in lazy_pinyin(text, errors=lambda chars: fold(chars).split())]
    syllables = [s for s in syllables if s]
    return " ".join(syllables), "".join(s[0] for s in syllables)


def pinyin_matches(query: str, syllables: str, initials: str) -> bool:
    """Whether ascii `query` spells the pinyin from a syllable start (`huaqiang`, `zhang wei`)
    or is a run of initials (`zw`)."""
    typed = compact(query)
    if not typed or not typed.isascii():
        return False
    parts = syllables.split()
    if any("".join(parts[i:]).startswith(typed) for i in range(len(parts))):
        return True
    return len(typed) >= 2 and typed in initials
