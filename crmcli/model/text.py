"""Text folding for matching in any script: case, accents, width, and pinyin for Chinese.

`fold("Müller")` == `fold("MULLER")` == "muller"; `fold("Straße")` == "strasse".
Pinyin needs pypinyin (see model/pinyin.py for how its load is kept short); it is
computed when a record is indexed, never while answering a query.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import filterfalse

from crmcli.model.pinyin import lazy_pinyin

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
"""The CJK blocks of Chinese characters, for character classes. A class over them costs about
1 ms to compile (re's charset tables), so patterns using it are compiled on first use
(`cjk_pattern`): most commands never meet a Chinese character."""
SPACES = re.compile(r"\s+")
NON_WORD = re.compile(r"[^\w]+")
ASCII_BREAKS = str.maketrans({chr(code): " " for code in range(128) if not chr(code).isalnum()})
"""What `words` makes of ASCII text: what NON_WORD (\\W) and `_` break words at, as a table."""
PINYIN_CHARS = 200
"""Pinyin is computed for a name's first 200 characters: enough for any name a person types,
and a pasted page in a name field cannot make indexing slow (pypinyin is superlinear)."""
PINYIN_RUN = 24
"""Syllables joined in one pinyin token (`huaqiangdianzi`): longer runs are never typed, and
all runs from every syllable on would grow with the square of a name's length."""


def fold(text: str) -> str:
    """Lower-case, accent-free, width-normalised text for comparisons."""
    if text.isascii():
        return SPACES.sub(" ", text.lower()).strip()
    # accents dropped by C code alone (filterfalse of a builtin): half the time of a generator
    # expression, which was most of a name's fold (6,000 names sorted for a ledger)
    stripped = "".join(filterfalse(unicodedata.combining, unicodedata.normalize("NFKD", text)))
    return SPACES.sub(" ", stripped.casefold().replace("ı", "i")).strip()


def compact(text: str) -> str:
    """`fold` without spaces or punctuation: `Acme Corp.` → `acmecorp`, `zhang wei` → `zhangwei`."""
    return NON_WORD.sub("", fold(text)).replace("_", "")


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Control characters shown as escapes (`\\x1b`), so data cannot drive the terminal (or a
    calendar, or a mail header) that shows it."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@functools.cache
def cjk_pattern(source: str) -> re.Pattern[str]:
    """`source`, a pattern naming the CJK blocks, compiled once when first needed (see `CJK`)."""
    return re.compile(source)


def has_cjk(text: str) -> bool:
    return not text.isascii() and bool(cjk_pattern(f"[{CJK}]").search(text))


def pinyin_forms(text: str) -> tuple[str, str] | None:
    """The pinyin syllables (space-separated) and the initials of `text` when it has Chinese
    characters (张伟 → "zhang wei", "zw"), else None. Other words are kept, folded."""
    if not has_cjk(text):
        return None
    text = text[:PINYIN_CHARS]
    # `errors` may return a list of syllables (as pypinyin's README shows).
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


def words(text: str) -> str:
    """Folded text as space-separated words, each Chinese character a word of its own:
    `Müller-Straße 5` → `muller strasse 5`, `华强电子` → `华 强 电 子`. Both the index and
    queries use this form, so substring search in Chinese is a phrase search over characters."""
    if text.isascii():  # the common case, in one pass: every ASCII character but a letter or digit breaks a word
        return " ".join(text.lower().translate(ASCII_BREAKS).split())
    folded = fold(text)
    if folded.isascii():  # no Chinese to space out, and \w decides alone what breaks a word
        return " ".join(NON_WORD.sub(" ", folded).replace("_", " ").split())
    # each Chinese character a word, and each run of other word characters but `_`
    return " ".join(cjk_pattern(rf"[{CJK}]|[^\W_{CJK}]+").findall(folded))


def pinyin_tokens(syllables: str | None, initials: str | None) -> str:
    """Words that let pinyin find a Chinese name from any syllable on, from its `pinyin_forms`
    (none: no Chinese, no words): the syllables joined (华强电子 → huaqiangdianzi qiangdianzi
    dianzi zi) and the initials (hqdz qdz dz)."""
    if not syllables or initials is None:
        return ""
    parts = syllables.split()
    joined = ["".join(parts[i:i + PINYIN_RUN]) for i in range(len(parts))]
    return " ".join(joined + [initials[i:i + PINYIN_RUN] for i in range(len(initials) - 1)])


@functools.lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """One character folded as `fold` folds it (kept: a Chinese snippet repeats few characters)."""
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def match_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where `needles`, folded already (`fold`), occur in `text`, as (start, end) positions in
    `text` itself, so `muller` highlights `Müller` and `strasse` highlights `Straße`."""
    if text.isascii():  # folding is lower case alone, and keeps every position (a search's 50 snippets)
        haystack, origin = text.lower(), list(range(len(text)))
    else:
        folded, positions = [], []
        for position, char in enumerate(text):
            for piece in _fold_char(char):
                folded.append(piece)
                positions.append(position)
        haystack, origin = "".join(folded), positions
    spans = []
    for needle in needles:
        start = haystack.find(needle)
        while start >= 0:
            end = start + len(needle) - 1
            spans.append((origin[start], origin[end] + 1))
            start = haystack.find(needle, start + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
