"""Emails become interactions: whose address is whose, which party and contact a message is
about, and the writing (through `new_interaction`, the one way an interaction is made).

An email is about one party. Mail from one of `me`'s addresses (`mail.me` in crm.yaml) is
outgoing and about its recipients (To before Cc), any other mail incoming and about its sender. An address
belongs to a party when the party or one of its contacts lists it (without case); with
`by_domain`, any address at a party's own domain does (its website's, or its emails' unless
they are at a free mail provider)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from crmcli.actions.interactions import new_interaction
from crmcli.errors import Ambiguous, InvalidValue
from crmcli.i18n import _
from crmcli.model.dates import moment_text, read_day
from crmcli.model.ids import random_id
from crmcli.model.kinds import KINDS, PARTY_KINDS
from crmcli.model.record import Record
from crmcli.store import fs
from crmcli.store.validation import schema_problems

FREE_MAIL = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com msn.com yahoo.com yahoo.co.jp icloud.com me.com "
    "aol.com proton.me protonmail.com gmx.de gmx.net web.de mail.ru yandex.ru qq.com foxmail.com 163.com 126.com "
    "yeah.net sina.com sina.cn sohu.com aliyun.com 139.com 189.cn naver.com fastmail.com".split())
"""Domains shared by strangers: an address there says nothing about the company."""


@dataclass(frozen=True)
class Owner:
    """Whose an address is: a party, and the position of its contact when a contact lists it."""

    party: Record
    contact: int | None = None


def _domain_of(text: str) -> str:
    host = text.strip().lower().split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2].split(":", 1)[0]
    return host.removeprefix("www.")


@dataclass
class AddressBook:
    """Every party's and contact's email address, and with `by_domain` every party's domain."""

    me: frozenset[str]
    by_domain: bool = False
    addresses: dict[str, list[Owner]] = field(default_factory=dict)
    domains: dict[str, list[Owner]] = field(default_factory=dict)

    def add(self, party: Record) -> None:
        seen: set[str] = set()
        for position, contact in enumerate(party.data.get("contacts") or []):
            for address in contact.get("emails") or []:
                self._own(self.addresses, str(address).strip().lower(), Owner(party, position), seen)
        own_domains = {_domain_of(party.data["website"])} if party.data.get("website") else set()
        for address in party.data.get("emails") or []:
            self._own(self.addresses, str(address).strip().lower(), Owner(party), seen)
            own_domains.add(_domain_of(str(address)))
        for domain in own_domains - FREE_MAIL - {""}:
            self._own(self.domains, domain, Owner(party), seen)

    @staticmethod
    def _own(table: dict[str, list[Owner]], key: str, owner: Owner, seen: set[str]) -> None:
        if key and key not in seen:
            seen.add(key)
            table.setdefault(key, []).append(owner)

    def owners(self, addresses) -> list[Owner]:
        """The parties these addresses belong to (exact addresses first; domains only when no
        address is known), one entry per party."""
        exact = [owner for address in addresses for owner in self.addresses.get(address.email, [])]
        found = exact or ([owner for address in addresses for owner in self.domains.get(address.domain, [])]
                          if self.by_domain else [])
        return list({owner.party.ref: owner for owner in reversed(found)}.values())[::-1]


def address_book(repo, by_domain: bool = False) -> AddressBook:
    me = (repo.config.raw.get("mail") or {}).get("me") or []
    book = AddressBook(frozenset(str(address).strip().lower() for address in me), by_domain)
    for kind in PARTY_KINDS:
        for party in repo.records(kind):
            book.add(party)
    return book


@dataclass
class Planned:
    """One email's interaction, ready to write: the record (id assigned on writing) and its files."""

    record: dict
    party: Record
    files: list[tuple[str, bytes]] = field(default_factory=list)


def about(book: AddressBook, mail) -> tuple[str, Owner | None]:
    """(direction, the party the email is about or None); Ambiguous when several parties
    could be meant."""
    if mail.sender.email not in book.me:
        return "in", _one(book.owners([mail.sender]))
    for recipients in (mail.to, mail.cc):  # whom it was written to before whom it was copied to
        owners = book.owners([a for a in recipients if a.email not in book.me])
        if owners:
            return "out", _one(owners)
    return "out", None


def _one(owners: list[Owner]) -> Owner | None:
    if len(owners) > 1:
        raise Ambiguous(_("the addresses belong to {count} parties").format(count=len(owners)),
                        [f"{o.party.ref} ({o.party.title})" for o in owners])
    return owners[0] if owners else None


def plan_email(repo, owner: Owner, mail, direction: str, thread: str, attachments: bool) -> Planned:
    """The interaction of one email (validated, so writing it cannot fail half-way)."""
    body = mail.body
    if mail.left_out:
        body = (body + "\n\n" if body else "") + _("Attachments too large to keep: {names}").format(
            names=", ".join(mail.left_out))
    record = new_interaction(
        repo, owner.party, "email", mail.subject or _("(no subject)"), at=moment_text(mail.at),
        contact=f"#{owner.contact + 1}" if owner.contact is not None else None, body=body or None,
        direction=direction)
    record["message_id"] = mail.message_id
    record["thread"] = thread
    planned = Planned(record, owner.party)
    if attachments and mail.attachments:
        record["id"] = _random_free_id(repo, record)
        for attachment in mail.attachments:
            relative = f"attachments/{record['id']}/{attachment.name}"
            fs.data_place(repo.root, relative)
            planned.files.append((relative, attachment.data))
        record["attachments"] = [{"path": relative, "sha256": hashlib.sha256(data).hexdigest(),
                                  "added": record["at"]} for relative, data in planned.files]
    problems = schema_problems(KINDS["interaction"], {"id": "IN-20000101-0000", "created": record["at"],
                                                      "updated": record["at"], **record})
    if problems:
        raise InvalidValue(problems[0][1])
    return planned


def _random_free_id(repo, record: dict) -> str:
    """An id for an interaction whose attachments need their folder named before it is written."""
    kind = KINDS["interaction"]
    while True:
        candidate = random_id(kind.prefix_for(record), read_day(record["at"], repo.clock))
        taken = repo.exists(kind.ref({**record, "id": candidate})) or (repo.root / "attachments" / candidate).exists()
        if not taken:
            return candidate


def log_emails(repo, planned: list[Planned], message: str) -> list[str]:
    """Write the planned interactions and their attachments in one transaction; their references."""
    kind = KINDS["interaction"]
    refs = []
    with repo.writing(message, bulk=len(planned) > 1) as tx:
        for item in planned:
            refs.append(tx.add(kind, item.record))
            for relative, data in item.files:
                tx.put_file(relative, data)
    return refs
