"""`crm mail import` and `crm mail log`: email read from a source (io/mailsources.py), parsed
(io/mailmessage.py), matched to parties and logged as interactions (actions/mail.py).

Each message stands alone: one that cannot be read or matched is refused with one line and
the others go on; one that is logged is logged whole (its record and its attachments). An
email already logged for its party (same Message-ID) is skipped, so importing again does
nothing. Unknown senders are counted, and with `create_leads` become leads first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from crmcli.actions.mail import FREE_MAIL, AddressBook, Planned, about, address_book, log_emails, plan_email
from crmcli.actions.parties import new_party
from crmcli.errors import Ambiguous, CrmError, InvalidValue, NotFound
from crmcli.i18n import N_, _
from crmcli.io.mailmessage import MAX_MESSAGE, Mail, parse_mail
from crmcli.model.dates import parse_day
from crmcli.model.kinds import KINDS
from crmcli.model.record import Record
from crmcli.model.views import Column, Document, Fields, Table


@dataclass
class Options:
    since: str | None = None
    by_domain: bool = False
    attachments: bool = False
    create_leads: bool = False
    dry_run: bool = False


@dataclass
class MailOutcome:
    source: str
    dry_run: bool
    read: int = 0
    logged: list[dict] = field(default_factory=list)
    already: int = 0
    unmatched: int = 0
    refused: list[dict] = field(default_factory=list)
    unknown: dict[str, list] = field(default_factory=dict)
    """Address → [name, count] of incoming mail nobody's address matched."""
    leads: list[str] = field(default_factory=list)

    def view(self) -> Document:
        title = _("Mail from {source} (dry run: nothing written)") if self.dry_run else _("Mail from {source}")
        counts: list[tuple[str, object]] = [
            (N_("messages read"), self.read), (N_("to log") if self.dry_run else N_("logged"), len(self.logged)),
            (N_("already logged"), self.already), (N_("not matched"), self.unmatched),
            (N_("refused"), len(self.refused))]
        if self.leads:
            counts.append((N_("leads to create") if self.dry_run else N_("leads created"), len(self.leads)))
        parts: list = [Fields(counts, title=title.format(source=self.source))]
        if self.logged:
            columns = [Column("at", "at", cell="moment"), Column("party", "party"),
                       Column("direction", "direction", translate=True), Column("summary", "summary")]
            if not self.dry_run:  # ids are given on writing
                columns.insert(0, Column("id", "id", style="id"))
            parts.append(Table(columns, self.logged, title=N_("To log") if self.dry_run else N_("Logged")))
        senders = self.unknown_senders()
        if senders:
            parts.append(Table([Column("address", "address"), Column("name", "name"),
                                Column("count", "count", align="right")], senders, title=N_("Unknown senders")))
        payload = {"source": self.source, "dry_run": self.dry_run, "read": self.read, "logged": self.logged,
                   "already_logged": self.already, "not_matched": self.unmatched, "refused": self.refused,
                   "unknown_senders": senders, "leads": self.leads}
        return Document(parts, payload=payload)

    def unknown_senders(self) -> list[dict]:
        """Most frequent first."""
        return [{"address": address, "name": name, "count": count}
                for address, (name, count) in sorted(self.unknown.items(), key=lambda item: (-item[1][1], item[0]))]


def since_day(text: str | None, clock) -> date | None:
    """`7d`, `2w` mean that long ago; anything else is a day as crm reads days."""
    if not text:
        return None
    return parse_day(f"-{text}" if re.fullmatch(r"\d+[dwmy]", text.strip()) else text, clock)


def import_mail(repo, source, options: Options, advance=lambda done, total: None) -> MailOutcome:
    """Log the matching mail of `source` (see the module's docstring)."""
    outcome = MailOutcome(source.name, options.dry_run)
    book = address_book(repo, options.by_domain)
    since = since_day(options.since, repo.clock)
    source.prepare(since)
    total = len(source)
    mails: list[tuple[str, Mail]] = []
    for key, data in source.messages(since):
        advance(1, total)
        outcome.read += 1
        try:
            mail = parse_mail(data)
        except CrmError as error:
            outcome.refused.append({"message": key, "reason": str(error)})
            continue
        if since is None or mail.at.astimezone(repo.clock.zone).date() >= since:
            mails.append((key, mail))
    mails.sort(key=lambda item: item[1].at)
    if options.create_leads:
        outcome.leads = _create_leads(repo, book, [mail for _, mail in mails], options.dry_run)
    planned = _plan(repo, book, mails, options, outcome)
    if not options.dry_run:
        if planned:
            refs = log_emails(repo, planned, f"mail: {len(planned)} emails from {source.name}")
            for row, ref in zip(outcome.logged, refs, strict=True):
                row["id"] = ref.rsplit("/", 1)[1]
        source.landed(repo)
    return outcome


def _plan(repo, book: AddressBook, mails, options: Options, outcome: MailOutcome) -> list[Planned]:
    """The interactions to write, in date order; what is refused, known or unmatched is noted."""
    known = repo.ask.emails([mid for _, mail in mails for mid in [mail.message_id, *mail.ancestors]])
    threads = {mid: entries[0][2] for mid, entries in known.items()}
    logged = {(mid, party) for mid, entries in known.items() for _, party, _ in entries}
    planned = []
    for key, mail in mails:
        try:
            direction, owner = about(book, mail)
        except Ambiguous as error:
            outcome.refused.append({"message": key, "reason": f"{error}: {', '.join(error.candidates)}"})
            continue
        if owner is None:
            outcome.unmatched += 1
            if direction == "in":
                name, count = outcome.unknown.get(mail.sender.email, [mail.sender.name, 0])
                outcome.unknown[mail.sender.email] = [name or mail.sender.name, count + 1]
            continue
        if (mail.message_id, owner.party.ref) in logged:
            outcome.already += 1
            continue
        thread = next((threads[mid] for mid in mail.ancestors if mid in threads), mail.thread_guess)
        try:
            item = plan_email(repo, owner, mail, direction, thread, options.attachments)
        except CrmError as error:
            outcome.refused.append({"message": key, "reason": str(error)})
            continue
        threads.setdefault(mail.message_id, thread)
        logged.add((mail.message_id, owner.party.ref))
        planned.append(item)
        outcome.logged.append({"id": item.record.get("id"), "at": item.record["at"], "party": owner.party.ref,
                               "direction": direction, "summary": item.record["summary"],
                               "message_id": mail.message_id})
    return planned


def company_name(domain: str) -> str:
    """A readable company name from a mail domain: `acme-widgets.com.cn` → `Acme Widgets`."""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in ("com", "co", "net", "org", "edu", "gov", "ac"):
        label = labels[-3]
    else:
        label = labels[-2] if len(labels) >= 2 else labels[0]
    return label.replace("-", " ").replace("_", " ").title()


def _create_leads(repo, book: AddressBook, mails: list[Mail], dry_run: bool) -> list[str]:
    """Leads for the senders of incoming mail no address matches: one company per domain with
    its senders as contacts (a person per sender at a free mail domain). Written in one
    transaction (unless a dry run) and added to `book`; their references."""
    strangers: dict[str, dict[str, str]] = {}
    for mail in mails:
        if mail.sender.email in book.me or book.owners([mail.sender]):
            continue
        strangers.setdefault(mail.sender.domain, {}).setdefault(mail.sender.email, mail.sender.name)
    kind = KINDS["customer"]
    claimed: set[str] = set()
    records = []
    for domain, senders in sorted(strangers.items()):
        contacts = [{"name": name or address.split("@")[0], "emails": [address]} for address, name in senders.items()]
        fields: list[dict]
        if domain in FREE_MAIL:
            fields = [{"name": c["name"], "entity": "person", "emails": c["emails"]} for c in contacts]
        else:
            fields = [{"name": company_name(domain), "website": domain, "contacts": contacts}]
        for field_set in fields:
            record = new_party(repo, kind, {**field_set, "lifecycle": "lead", "tags": ["from-mail"]}, claimed=claimed)
            claimed.add(record["id"])
            records.append(record)
    if records and not dry_run:
        with repo.writing(f"mail: {len(records)} leads from unknown senders") as tx:
            for record in records:
                tx.put(kind, record, new=True)
    for record in records:
        book.add(Record(kind.ref(record), kind, record))
    return [kind.ref(record) for record in records]


def read_message(path: Path) -> bytes:
    """A message file, read up to the size a message may have (a link or a device is refused)."""
    if not path.is_file() or path.is_symlink():
        raise InvalidValue(_("not a message file"), where=str(path))
    with open(path, "rb") as handle:
        return handle.read(MAX_MESSAGE + 1)


def log_one(repo, data: bytes, options: Options) -> tuple[str, bool]:
    """`crm mail log`: the interaction of one message (its id, and whether it is new). Ambiguous
    (the candidates) or NotFound when no party has the address; nothing written then."""
    mail = parse_mail(data)
    book = address_book(repo, options.by_domain)
    if options.create_leads:
        _create_leads(repo, book, [mail], options.dry_run)
    about(book, mail)  # several parties: their list, exit 1
    outcome = MailOutcome("-", options.dry_run)
    planned = _plan(repo, book, [("-", mail)], options, outcome)
    if outcome.refused:
        raise InvalidValue(outcome.refused[0]["reason"])
    if outcome.unmatched:
        address = mail.sender.email if mail.sender.email not in book.me else \
            ", ".join(a.email for a in mail.to + mail.cc) or _("no recipients")
        raise NotFound(_("no party or contact has the address {address} (add it to a contact, or use "
                         "--create leads)").format(address=address))
    if outcome.already:
        entries = repo.ask.emails([mail.message_id])[mail.message_id]
        return entries[0][0].rsplit("/", 1)[1], False
    if options.dry_run:
        return _("(dry run) {summary} → {party}").format(summary=planned[0].record["summary"],
                                                         party=planned[0].party.ref), True
    return log_emails(repo, planned, f"mail: {planned[0].record['summary']}")[0].rsplit("/", 1)[1], True
