"""Mapped cell values into record fields, typed by the schema; and what other records a
row names (a party by the source system's key, else as the command line finds one; a product
by key or SKU)."""

from __future__ import annotations

import functools
import re

from crmcli.actions.fields import assign, parse_path
from crmcli.errors import Ambiguous, InvalidValue, NotFound
from crmcli.i18n import _
from crmcli.model.kinds import KINDS, Kind
from crmcli.query.resolve import Parties, find_party

INDEXED = re.compile(r"^(.*)\[(\d+)\]$")
SOURCE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


COUNTRY_ALIASES = {"uk": "GB", "greatbritain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
                   "russia": "RU", "holland": "NL", "america": "US", "prc": "CN", "mainlandchina": "CN",
                   "korea": "KR", "macau": "MO"}
"""Everyday names that are not in ISO 3166 (keys as `_country_key` makes them)."""


def _country_key(text: str) -> str:
    """A country name compared without case, spaces, dots or hyphens: `U.S.A.` is `usa`."""
    return re.sub(r"[\s.\-'’]", "", text.casefold())


@functools.cache
def _country_names() -> dict[str, str]:
    """Every name of every country pycountry knows, in every language it has translations
    for (`中国`, `Deutschland`, `Allemagne`), and its three-letter code, by `_country_key`."""
    import gettext
    from pathlib import Path

    import pycountry

    countries = list(pycountry.countries)
    english = {country.alpha_2: [getattr(country, field, None) for field in ("name", "official_name", "common_name")]
               for country in countries}
    names = dict(COUNTRY_ALIASES)
    for country in countries:
        for code in (country.alpha_2, country.alpha_3):
            names.setdefault(_country_key(code), country.alpha_2)
        for name in filter(None, english[country.alpha_2]):
            names.setdefault(_country_key(name), country.alpha_2)
    for folder in sorted(Path(pycountry.LOCALES_DIR).iterdir()):
        try:
            catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[folder.name])
        except OSError:
            continue
        for code, texts in english.items():
            for name in filter(None, texts):
                names.setdefault(_country_key(catalog.gettext(name)), code)
    return names


def country_code(text: str) -> str:
    """An ISO 3166 code from a code or a country's name in any language pycountry has
    translations for (address books write the country as their user's language names it)."""
    found = _country_names().get(_country_key(text))
    if found is None and re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    if found is None:
        raise InvalidValue(_("country {country!r} is not an ISO 3166 code or a country name pycountry knows "
                             "(translate it in the mapping's values:)").format(country=text))
    return found


def present(values: dict[str, object]) -> dict[str, object]:
    """The values a row gives (not the fields it leaves empty)."""
    return {path: value for path, value in values.items() if value is not None}


def typed(record: dict, schema: str, values: dict[str, object], prefix: str = "") -> dict:
    """`values` (field path → text, or a list of texts) set into `record`, typed by `schema`;
    a None value removes the field. A list replaces the list at its path (`tags`), or from its
    index on (`phones[1]`)."""
    for path, value in values.items():
        if value is None:
            _remove(record, parse_path(prefix + path))
        elif isinstance(value, list):
            match = INDEXED.match(path)
            base, start = (match[1], int(match[2])) if match else (path, 0)
            if not match:  # the whole list: none of the items it had stays behind
                _remove(record, parse_path(prefix + path))
            for position, item in enumerate(value):
                _set(record, schema, f"{prefix}{base}[{start + position}]", item)
        else:
            _set(record, schema, prefix + path, value)
    return record


def _remove(record, path: list) -> None:
    """Take the field at `path` away, and the groups it leaves empty; a missing one is no matter."""
    parents = []
    target = record
    for part in path[:-1]:
        if not _has(target, part):
            return
        parents.append((target, part))
        target = target[part]
    if not _has(target, path[-1]):
        return
    del target[path[-1]]
    for parent, part in reversed(parents):
        if parent[part] not in ({}, []):
            break
        del parent[part]


def _has(container, part) -> bool:
    if isinstance(part, int):
        return isinstance(container, list) and part < len(container)
    return isinstance(container, dict) and part in container


def _set(record: dict, schema: str, path: str, value) -> None:
    text = str(value)
    if path.rsplit(".", 1)[-1] == "country":
        text = country_code(text)
    assign(record, schema, path, text)


def check_source(name: str | None) -> str | None:
    if name is not None and not SOURCE_NAME.match(str(name)):
        raise InvalidValue(_("source {name!r}: use letters, digits, - and _ (it becomes external_ids.{name})")
                           .format(name=name))
    return name


class References:
    """Finds the records a row names, by the source system's keys (`external_ids`) first."""

    def __init__(self, repo, source: str | None):
        self.repo = repo
        self.source = source
        self.keys: dict[str, dict[str, str]] = {}
        self.parties: dict[tuple, Parties] = {}
        self.found: dict[tuple, tuple[str, str]] = {}
        self.last: tuple[str, str, str] | None = None
        """(the text, the party's reference, how it was found) of the last party named."""

    def external(self, kind: Kind) -> dict[str, str]:
        """Source key → reference, for the records of `kind` that have one."""
        if not self.source:
            return {}
        if kind.name not in self.keys:
            self.keys[kind.name] = self.repo.ask.external_keys(kind.name, self.source)
        return self.keys[kind.name]

    def remember(self, kind: Kind, key: str, ref: str) -> None:
        self.external(kind)[key] = ref

    def party(self, text: str, kinds: tuple[Kind, ...]) -> str:
        """The reference of the party `text` names: a source key, else as a party named on the
        command line is found (query/resolve.py: id, name, email, phone, tax id, pinyin…). How it
        was found is kept in `last` for the dry run to show."""
        for kind in kinds:
            if text in self.external(kind):
                self.last = (text, self.external(kind)[text], _("{source} key").format(source=self.source))
                return self.last[1]
        key = tuple(kind.name for kind in kinds)
        if (key, text) not in self.found:
            if key not in self.parties:
                self.parties[key] = Parties(self.repo, kinds)
            try:
                self.found[key, text] = find_party(self.repo, text, kinds, self.parties[key])
            except Ambiguous as error:
                raise Ambiguous(_("{reason}: {candidates}").format(reason=error.message, candidates="; ".join(
                    error.candidates)), error.candidates) from None
            except NotFound as error:
                if not self.source:
                    raise
                raise NotFound(_("{reason} (nor has it as its {source} key)").format(
                    reason=error.message, source=self.source)) from None
        ref, step = self.found[key, text]
        self.last = (text, ref, _(step))
        return ref

    def product(self, text: str) -> str:
        """The SKU of the product `text` names: a source key or the SKU itself."""
        kind = KINDS["product"]
        if text in self.external(kind):
            return self.external(kind)[text].rsplit("/", 1)[-1]
        return text
