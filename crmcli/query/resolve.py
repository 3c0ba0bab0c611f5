"""Resolving the party a person names on the command line (GUIDE.md §4).

In order: the reference or id, the exact name, an email, phone or tax id (in any
spelling: `0755-8888 0000` is `+86 755 8888 0000`), a unique prefix of the id or of a
word of the name (any substring for Chinese, which has no spaces), the pinyin or its
initials (`huaqiang`, `zw`), a contact's name, and last a fuzzy match for typos. The
first step that finds anything decides: one party is the answer, several are
ambiguous and listed, none goes on to the next step.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from crmcli.errors import Ambiguous, InvalidValue, NotFound
from crmcli.i18n import N_, _
from crmcli.model.kinds import PARTY_KINDS, Kind, kind_of_ref, title_of
from crmcli.model.likeness import close_spellings, phone_key
from crmcli.model.notices import FUZZY, Notice
from crmcli.model.record import Record
from crmcli.model.text import compact, fold, has_cjk, pinyin_matches, words
from crmcli.store.questions import Match


class Named(NamedTuple):
    """A party's names as the index keeps them, to resolve what a person typed against. A
    named tuple, not a frozen dataclass: `crm log` and `crm show` define it at start-up, at a
    fifth of the cost."""

    path: str
    role: str
    name: str
    folded: str
    pinyin: str | None
    initials: str | None

    @property
    def ref(self) -> str:
        return self.path[:-5]

    @property
    def id(self) -> str:
        return self.ref.rsplit("/", 1)[-1]

    def spelled_by(self, typed: str) -> bool:
        """Whether ascii `typed` spells this Chinese name's pinyin, or its initials."""
        if not self.pinyin:
            return False
        return pinyin_matches(typed, self.pinyin, self.initials or "")


def _starts_word(folded_name: str, query: str) -> bool:
    if folded_name.startswith(query) or compact(folded_name).startswith(compact(query) or "\x00"):
        return True
    return any(word.startswith(query) for word in folded_name.replace("-", " ").split())


HANDLES = {"emails": N_("email"), "phones": N_("phone"), "tax_id": N_("tax id")}
"""What besides a name names a party, as `_steps` calls the step that finds it."""
PHONE = re.compile(r"^\+?[\d\s().\-/]{7,}$")


def handle_key(field: str, text: str) -> str:
    """An email, phone or tax id in the form two spellings of it share ('' for text that cannot be one)."""
    if field == "emails":
        return fold(text) if "@" in text else ""
    if field == "phones":
        return phone_key(text) if PHONE.match(text.strip()) else ""
    key = compact(text)
    return key if len(key) >= 5 and any(ch.isdigit() for ch in key) else ""


class Parties:
    """The parties of some kinds as names are resolved against, read from the index once (all
    their names only when a step after the id needs them): an import resolves every row's
    party against one read."""

    def __init__(self, repo, kinds: tuple[Kind, ...] = PARTY_KINDS):
        self.repo = repo
        self.kinds = kinds
        self.index = repo.indexed(*kinds)
        self.read: list[Named] | None = None
        self.handles: dict[tuple[str, str], set[str]] | None = None

    @property
    def names(self) -> list[Named]:
        """Every name of every party, read the first time a step needs them (the id step does not)."""
        if self.read is None:
            self.read = [Named(*row) for row in self.index.names(tuple(k.name for k in self.kinds))]
        return self.read

    def with_id(self, ids: list[str]) -> list[Named]:
        """The names of the parties whose id is one of `ids`: from the index alone until all are
        read, so that `crm log ID` costs the same at any number of parties."""
        if self.read is None:
            return [Named(*row) for row in self.index.names(tuple(k.name for k in self.kinds), stems=ids)]
        return [n for n in self.read if n.id in ids]

    def reached_at(self, field: str, query: str) -> list[Named]:
        """The parties whose `field` (emails, phones, tax_id) holds `query`, in any spelling."""
        key = handle_key(field, query)
        if not key:
            return []
        if self.handles is None:
            self.handles = {}
            for ref, name, value in self.repo.ask.party_handles(tuple(k.name for k in self.kinds)):
                self.handles.setdefault((name, handle_key(name, value)), set()).add(ref)
        refs = self.handles.get((field, key), set())
        return [n for n in self.names if n.role == "name" and n.ref in refs]

    def steps(self, query: str):
        """(step, what it finds) in the order of the module docstring; the first step that finds
        something decides."""
        folded = fold(query)
        typed = compact(query)
        yield "id", self.with_id([query, folded])
        names = self.names
        yield "name", [n for n in names if n.role == "name" and n.folded == folded]
        for field, step in HANDLES.items():
            yield step, self.reached_at(field, query)
        yield "prefix", [n for n in names if n.role == "name" and (
            n.id.startswith(folded) or _starts_word(n.folded, folded) or (has_cjk(query) and folded in n.folded))]
        yield "pinyin", [n for n in names if n.role == "name" and n.spelled_by(typed)]
        yield "contact", [n for n in names if n.role == "contact" and (
            n.folded == folded or (n.spelled_by(typed) and len(typed) > 2))]
        yield "fuzzy", _fuzzy(folded, names)


def _fuzzy(folded: str, names: list[Named]) -> list[Named]:
    choices: dict[int, str] = {index: n.folded for index, n in enumerate(names) if n.role == "name"}
    choices.update({-1 - index: n.id for index, n in enumerate(names) if n.role == "name"})
    hits = close_spellings(folded, choices, 8)
    if not hits:
        return []
    best = hits[0][1]
    close = {key if key >= 0 else -1 - key for key, score in hits if score >= best - 4}
    return [names[index] for index in sorted(close)]


def _label(named: Named) -> str:
    return _("{ref} (contact {name})").format(ref=named.ref, name=named.name) if named.role == "contact" else named.ref


def folded_id(text: str) -> str:
    return fold(text).replace(" ", "-")


def find_party(repo, text: str, kinds: tuple[Kind, ...] = PARTY_KINDS,
               parties: Parties | None = None) -> tuple[str, str]:
    """(reference, the step that found it: id, name, email, phone, tax id, prefix, pinyin,
    contact or fuzzy) of the one party `text` names, or NotFound / Ambiguous listing the
    candidates. `parties`: the parties read already, for many names in a row."""
    query = text.strip()
    if not query:
        raise NotFound(_("no party named (an empty name)"))
    kind = kind_of_ref(query)
    if kind in kinds and "/" in query and repo.exists(query):
        return query, "id"
    parties = parties or Parties(repo, kinds)
    for step, found in parties.steps(query):
        refs = sorted({named.ref for named in found})
        if len(refs) == 1:
            if step == "fuzzy":
                repo.warnings.append(Notice(_("{query!r} matched {name} ({ref}) by close spelling").format(
                    query=query, name=found[0].name, ref=refs[0]), f"{refs[0]}.yaml", kind=FUZZY))
            return refs[0], step
        if refs:
            labels = sorted({(named.ref, _label(named)) for named in found})
            titles = {named.ref: named.name for named in found if named.role == "name"}
            listing = [f"{label}  {titles.get(ref, '')}".rstrip() for ref, label in labels]
            message = (_("{query!r} is ambiguous ({count} parties)") if step != "fuzzy" else
                       _("{query!r} matches nothing exactly; did you mean one of these? ({count} parties)"))
            raise Ambiguous(message.format(query=query, count=len(refs)), listing)
    for path, error, line in repo.index_store().broken():
        if path.rsplit("/", 1)[-1][:-5].startswith(folded_id(query)) and kind_of_ref(path) in kinds:
            repo.warnings[:] = [w for w in repo.warnings if w.path != path]
            raise InvalidValue(_("{error} (fix the file, then try again)").format(error=error),
                               where=f"{path}:{line}" if line else path)
    noun = _(" or ").join(_(k.name) for k in kinds)
    raise NotFound(_("no {kind} matches {query!r}").format(kind=noun, query=query))


def resolve_party(repo, text: str, kinds: tuple[Kind, ...] = PARTY_KINDS) -> Record:
    """The one party `text` names, or NotFound / Ambiguous listing the candidates."""
    return repo.load(find_party(repo, text, kinds)[0])


def _by_id(repo, kind: Kind | None, query: str) -> list[Record]:
    """Records (of `kind`, else of any kind) whose id is `query` in any case, else starts with it."""
    return repo.records(kind, Match(id_is=query)) or repo.records(kind, Match(id_starts=query))


def resolve_record(repo, kind: Kind | None, text: str) -> Record:
    """A record of `kind` (of any kind when None) by its reference (`customers/acme`), its id
    in any case, or a unique prefix of its id; several are ambiguous and listed."""
    query = text.strip().removesuffix(".yaml")
    noun = _(kind.name) if kind else _("record")
    if not query:
        raise NotFound(_("no {kind} id given").format(kind=noun))
    if "/" in query and kind_of_ref(query) is not None and kind in (None, kind_of_ref(query)) \
            and repo.exists(query):
        return repo.load(query)
    found = _by_id(repo, kind, query)
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(_("{text!r} is ambiguous ({count} {kinds})").format(
            text=text, count=len(found), kinds=_(kind.folder) if kind else _("records")),
            [f"{r.ref}  {title_of(r.kind, r.data)}".rstrip() for r in sorted(found, key=lambda r: r.ref)][:20])
    raise NotFound(_("no {kind} with id {text!r}").format(kind=noun, text=text))


def parties_named(repo, text: str) -> list[str]:
    """References of every party whose id, name, a contact's name or pinyin fits `text`
    (for `party:` in queries, where several parties may match)."""
    folded = fold(text)
    spaced = words(text)
    found = set()
    for row in repo.indexed(*PARTY_KINDS).names(tuple(kind.name for kind in PARTY_KINDS)):
        named = Named(*row)
        if (folded in named.id or spaced in words(named.name) or named.ref == text
                or named.spelled_by(text)):
            found.add(named.ref)
    return sorted(found)


def named_party(repo, text: str) -> Record | None:
    """The party `text` names by id, exact name, prefix or pinyin, or None: for commands whose
    argument is a party or else a query (`crm timeline huaqiang`, `crm timeline 样品`)."""
    for step, found in Parties(repo).steps(text.strip()):
        refs = {named.ref for named in found}
        if step in ("contact", "fuzzy") or len(refs) > 1:
            return None
        if refs:
            return repo.load(refs.pop())
    return None


def resolve_any(repo, text: str) -> str:
    """The reference of the record `text` names, of any kind: its path (`customers/acme`,
    which may be gone from the files now), its id or a unique prefix of an id, else a party
    by name as `resolve_party` finds it."""
    query = text.strip().removesuffix(".yaml")
    if "/" in query and kind_of_ref(query) is not None:
        repo.path_of(query)
        return query
    if query:
        found = _by_id(repo, None, query)
        if len(found) == 1 and not found[0].kind.is_party:
            return found[0].ref
    return resolve_party(repo, query).ref
