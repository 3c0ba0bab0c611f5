"""Mapped cell values into record fields, typed by the schema; and what other records a
row names (a party by the source system's key or by name, a product by key or SKU)."""

from __future__ import annotations

import re

from crmcli.actions.fields import assign, parse_path
from crmcli.errors import Ambiguous, InvalidValue, NotFound
from crmcli.i18n import _
from crmcli.model.kinds import KINDS, Kind
from crmcli.model.text import fold

INDEXED = re.compile(r"^(.*)\[(\d+)\]$")
SOURCE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def country_code(text: str) -> str:
    """An ISO 3166 code from a code or an English country name (pycountry's tables)."""
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    import pycountry

    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        raise InvalidValue(_("country {country!r} is not an ISO 3166 code or a country name pycountry knows "
                             "(translate it in the mapping's values:)").format(country=text)) from None


def present(values: dict[str, object]) -> dict[str, object]:
    """The values a row gives (not the fields it leaves empty)."""
    return {path: value for path, value in values.items() if value is not None}


def typed(record: dict, schema: str, values: dict[str, object], prefix: str = "") -> dict:
    """`values` (field path → text, or a list of texts) set into `record`, typed by `schema`;
    a None value removes the field."""
    for path, value in values.items():
        if value is None:
            _remove(record, parse_path(prefix + path))
        elif isinstance(value, list):
            match = INDEXED.match(path)
            base, start = (match[1], int(match[2])) if match else (path, 0)
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
        self.names: dict[tuple, dict[str, set[str]]] = {}

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
        """The reference of the party `text` names: a source key, an id or reference, or an exact name."""
        for kind in kinds:
            if text in self.external(kind):
                return self.external(kind)[text]
        found = self._named(kinds).get(fold(text), set())
        if len(found) == 1:
            return next(iter(found))
        noun = _(" or ").join(_(kind.name) for kind in kinds)
        if found:
            raise Ambiguous(_("{name!r} names several parties: {refs}").format(name=text,
                                                                                refs=", ".join(sorted(found))),
                            sorted(found))
        if self.source:
            raise NotFound(_("no {kind} has the {source} key, id or name {name!r}").format(
                kind=noun, source=self.source, name=text))
        raise NotFound(_("no {kind} has the id or name {name!r}").format(kind=noun, name=text))

    def _named(self, kinds: tuple[Kind, ...]) -> dict[str, set[str]]:
        key = tuple(kind.name for kind in kinds)
        if key not in self.names:
            found: dict[str, set[str]] = {}
            for path, role, _name, folded, *_more in self.repo.indexed(*kinds).names(key):
                ref = path[:-5]
                for word in ({folded, ref, ref.rsplit("/", 1)[-1]} if role == "name" else set()):
                    found.setdefault(word, set()).add(ref)
            self.names[key] = found
        return self.names[key]

    def product(self, text: str) -> str:
        """The SKU of the product `text` names: a source key or the SKU itself."""
        kind = KINDS["product"]
        if text in self.external(kind):
            return self.external(kind)[text].rsplit("/", 1)[-1]
        return text
