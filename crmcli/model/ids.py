"""Record ids: readable slugs for parties, collision-free random ids for everything else.

Random ids are `PREFIX-YYYYMMDD-XXXX` with four Crockford base32 characters, so two
clones that add records independently never pick the same file name in practice
(32^4 = 1,048,576 per prefix and day), and a collision that does happen is detected
and retried at write time.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from crmcli.model.pinyin import lazy_pinyin
from crmcli.model.text import cjk_pattern

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
RANDOM_ID = re.compile(r"^[A-Z]{2,3}-\d{8}-[0-9A-HJKMNP-TV-Z]{4}$")
CJK = r"[\u3400-\u9fff\uf900-\ufaff]+"

LEGAL_SUFFIXES = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团|公司|工作室|"
    r"\b(inc|incorporated|ltd|limited|llc|gmbh|ag|ab|sa|sas|sarl|bv|nv|plc|co|corp|corporation|kg|oy|as|spa|srl)\b\.?)\s*$",
    re.IGNORECASE,
)
CITY_PREFIX = r"^[\u4e00-\u9fff]{2,3}[市省](?=[\u4e00-\u9fff]{2})"
"""This and `CJK` are compiled when first used (text.cjk_pattern): only Chinese names need them."""


def random_id(prefix: str, day: date) -> str:
    """`PREFIX-YYYYMMDD-XXXX` with four random Crockford base32 characters."""
    # lazy: secrets loads random, base64 and hmac, about 1.5 ms (python -X importtime); only a new id needs it
    import secrets

    tail = "".join(secrets.choice(CROCKFORD) for _ in range(4))
    return f"{prefix}-{day:%Y%m%d}-{tail}"


def _pinyin_words(run: str) -> list[str]:
    """Pinyin of a run of Chinese characters, grouped as words: two syllables each,
    or the whole run for names of up to three characters (华强电子 → huaqiang dianzi)."""
    syllables = lazy_pinyin(run)
    if len(syllables) <= 3:
        return ["".join(syllables)]
    words = ["".join(syllables[i:i + 2]) for i in range(0, len(syllables), 2)]
    if len(syllables) % 2:
        words[-2:] = [words[-2] + words[-1]]
    return words


def strip_legal_form(name: str) -> str:
    """The distinctive part of a company name: no leading 深圳市, no trailing 有限公司 or GmbH."""
    core = name.strip()
    for _ in range(3):
        shorter = LEGAL_SUFFIXES.sub("", core).strip(" ,.&")
        if shorter == core or not shorter:
            break
        core = shorter
    return cjk_pattern(CITY_PREFIX).sub("", core) or name


def slugify(name: str) -> str:
    """A readable ascii id for a name: `Acme Corp` → `acme`, 华强电子 → `huaqiang-dianzi`."""
    core = strip_legal_form(name)
    parts: list[str] = []
    position = 0
    for match in cjk_pattern(CJK).finditer(core):
        parts.append(core[position:match.start()])
        parts.append(" " + " ".join(_pinyin_words(match.group())) + " ")
        position = match.end()
    parts.append(core[position:])
    text = "".join(parts).replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("œ", "oe")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "party"


def unique_slug(name: str, taken) -> str:
    """`slugify(name)`, with `-2`, `-3`… appended while `taken(slug)` says it exists."""
    return _numbered(slugify(name), taken)


def _numbered(base: str, taken) -> str:
    candidate, counter = base, 2
    while taken(candidate):
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


def another_id(record_id: str, taken) -> str:
    """A new id for a record whose id turned out to be another record's too (two clones each
    added one): a fresh random id of the same prefix and day, or a slug numbered as
    `unique_slug` numbers it (`acme` → `acme-2`), not `taken`."""
    if not RANDOM_ID.match(record_id):
        return _numbered(record_id, taken)
    prefix, day = record_id.split("-")[:2]
    while True:
        candidate = random_id(prefix, date(int(day[:4]), int(day[4:6]), int(day[6:])))
        if not taken(candidate):
            return candidate
