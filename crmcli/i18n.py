"""The interface language: English, or Simplified Chinese from the gettext catalog shipped
in `crmcli/locale/`. Only the interface is translated; data stays as written.

The language is chosen once per run (`--lang`, else crm.yaml `locale`, else `LC_ALL`,
`LC_MESSAGES`, `LANG`) and held in a context variable, so the core needs no extra
argument to speak it. `N_` marks a string for the catalog where it is defined (a column
heading); the renderer translates it when it is shown.
"""

from __future__ import annotations

import gettext
import os
from contextvars import ContextVar
from pathlib import Path
from typing import overload

from crmcli.errors import InvalidValue

DOMAIN = "crm"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGS = {"en": None, "zh": "zh_CN"}
ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")

UNTRANSLATED = gettext.NullTranslations()
"""English, the messages as written: the default of every context, shared and never changed."""
_translation: ContextVar[gettext.NullTranslations] = ContextVar("translation", default=UNTRANSLATED)
_language: ContextVar[str] = ContextVar("language", default="en")


def language_of(tag: str | None) -> str | None:
    """`zh`, `zh_CN.UTF-8`, `zh-Hans` → zh; `en_GB`, `C`, `POSIX` → en; anything else None."""
    if not tag:
        return None
    base = str(tag).strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    if base in ("c", "posix"):
        return "en"
    return base if base in CATALOGS else None


def choose(explicit: str | None = None, configured: str | None = None, environ=os.environ) -> str:
    """The language of this run; an unknown `--lang` is an error, other unknown tags are passed over."""
    if explicit:
        chosen = language_of(explicit)
        if chosen is None:
            raise InvalidValue(_("unknown language {tag!r}: use {languages}").format(tag=explicit,
                                                                                    languages=" or ".join(CATALOGS)))
        return chosen
    for tag in (configured, *(environ.get(name) for name in ENVIRONMENT)):
        if tag:
            return language_of(tag) or "en"
    return "en"


def use(language: str) -> None:
    """Speak `language` from now on in this context."""
    catalog = CATALOGS[language]
    translation = gettext.NullTranslations() if catalog is None else gettext.translation(
        DOMAIN, LOCALE_DIR, languages=[catalog], fallback=True)
    _translation.set(translation)
    _language.set(language)


def language() -> str:
    return _language.get()


@overload
def translated(message: str) -> str: ...
@overload
def translated(message: None) -> None: ...
def translated(message: str | None) -> str | None:
    """`message` in the interface language (a `Word` in its context). A field a record lacks
    (None) stays None, so a view can still leave it out."""
    if isinstance(message, Word):
        return _translation.get().pgettext(message.context, message)
    return _translation.get().gettext(message) if message else message


_ = translated
"""The usual gettext name, which the catalog looks for."""


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.get().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks `message` for the catalog; it is translated where it is shown."""
    return message


class Word(str):
    """An interface word whose translation depends on what it names, carried in data as the
    plain word: `lost` is a deal's stage (输单) and a customer's segment (已流失). Shown in a
    view it is translated in its `context` (gettext's msgctxt); csv and json write the word."""

    context: str

    def __new__(cls, message: str, context: str) -> Word:
        word = super().__new__(cls, message)
        word.context = context
        return word


def NC_(context: str, message: str) -> Word:
    """Marks `message` for the catalog in `context` (see Word); translated where it is shown."""
    return Word(message, context)


def day_text(day) -> str:
    """A day in prose: 2026-11-22 in English, 2026年11月22日 in Chinese (tables keep ISO)."""
    if language() == "en":
        return day.isoformat()
    # lazy: babel loads in 45 ms (python -X importtime); only localised numbers and dates need it
    from babel.dates import format_date

    return format_date(day, format="long", locale=CATALOGS[language()])


def money_text(amount, code: str | None) -> str:
    """An amount with thousands separators and its currency: `54,805.00 CNY`, in Chinese `¥54,805.00`."""
    text = f"{amount:,f}"
    if not code:
        return text
    if language() == "en":
        return f"{text} {code}"
    # lazy: babel loads in 45 ms (python -X importtime); only localised numbers and dates need it
    from babel.numbers import format_currency

    return format_currency(amount, code, locale=CATALOGS[language()])


def quarter_text(key: str) -> str:
    """`2026-Q3` as people write it: unchanged in English, 2026年第3季度 in Chinese."""
    year, _dash, quarter = key.partition("-Q")
    return _("{year} Q{quarter}").format(year=year, quarter=quarter) if quarter and language() != "en" else key
