"""One email as crm sees it, read from the bytes a mail client, a Maildir or a server hands over:
who wrote to whom, when (with the sender's zone), the subject and a readable body, the files
attached, and the Message-IDs that make a second import a no-op and link a thread.

Mail is written by every client there is, so reading is lenient (a header that cannot be
decoded is read with replacement characters, not refused) but bounded: a message, a body
and an attachment each have a ceiling, and a message without a sender or a date is refused
with the reason."""

from __future__ import annotations

import email
import email.header
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io.mailtext import html_to_text, trim_reply

MAX_MESSAGE = 64 * 1024 * 1024
"""A message over this many bytes is refused."""
MAX_ATTACHMENT = 25 * 1024 * 1024
"""An attachment over this many bytes is left out (named in the body's last line)."""
MAX_BODY = 20_000
"""Characters of body text kept on the interaction."""

CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
            "big5": "big5hkscs", "x-big5": "big5hkscs", "ks_c_5601-1987": "cp949"}
"""Labels clients write for a charset that is really a superset: GB2312 mail routinely holds GBK
characters, Big5 mail HKSCS ones."""
GUESSES = ("utf-8", "gb18030", "big5hkscs", "cp1252")
"""How unlabelled 8-bit text is tried, in order."""
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in the labelled charset (its superset, see CHARSETS); unlabelled or
    unknown: the first of GUESSES that fits."""
    label = (charset or "").strip().lower()
    if label and label not in ("unknown-8bit", "x-unknown"):
        try:
            return data.decode(CHARSETS.get(label, label))
        except (LookupError, UnicodeDecodeError):
            pass
    for guess in GUESSES:
        try:
            return data.decode(guess)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def header_text(value) -> str:
    """A header as one line of text, RFC 2047 encoded words decoded (GB2312, GBK, Big5…)."""
    if value is None:
        return ""
    try:
        chunks = email.header.decode_header(value)
    except (email.errors.HeaderParseError, ValueError):
        chunks = [(str(value), None)]
    text = "".join(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in chunks)
    return " ".join(CONTROL.sub(" ", text).split())


def _ids(value) -> list[str]:
    """The Message-IDs in a header (`<a@b> <c@d>`), in order."""
    return re.findall(r"<[^<>\s]{1,900}>", header_text(value))


@dataclass(frozen=True)
class Address:
    email: str
    """Lower case: addresses are compared without case."""
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


def _addresses(message: Message, *names: str) -> list[Address]:
    # Encoded words are decoded per name, after splitting (a decoded name may hold a comma);
    # raw 8-bit headers (a Header here) can only be decoded whole first.
    raw = [value if isinstance(value, str) else header_text(value) for name in names
           for value in message.get_all(name) or []]
    found = []
    for name, address in email.utils.getaddresses(raw):
        if "@" in address:
            found.append(Address(address.strip().lower(), header_text(name).strip("'\" ")))
    return found


@dataclass
class Attachment:
    name: str
    data: bytes


@dataclass
class Mail:
    message_id: str
    sender: Address
    to: list[Address]
    cc: list[Address]
    at: datetime
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    """Attachments too large to keep (their names)."""

    @property
    def thread_guess(self) -> str:
        """The thread's first Message-ID as this message names it (References' first, else
        the one it replies to, else its own)."""
        return (self.references or self.in_reply_to or [self.message_id])[0]

    @property
    def ancestors(self) -> list[str]:
        """Message-IDs this one answers, nearest first."""
        return list(dict.fromkeys(reversed(self.references + self.in_reply_to)))


def parse_mail(data: bytes) -> Mail:
    """The email in `data`; InvalidValue (one line) when it is too big, or has no sender or date."""
    if len(data) > MAX_MESSAGE:
        raise InvalidValue(_("larger than {size} MB").format(size=MAX_MESSAGE // 2 ** 20))
    message = email.message_from_bytes(data)
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    if not senders:
        raise InvalidValue(_("no sender address (From)"))
    at = _date(message)
    message_id = (_ids(message.get("Message-ID")) or [_made_up_id(data)])[0]
    body, attachments, left_out = _content(message)
    return Mail(message_id, senders[0], _addresses(message, "To"), _addresses(message, "Cc"), at,
                header_text(message.get("Subject")), body, attachments, _ids(message.get("In-Reply-To")),
                _ids(message.get("References")), left_out)


def _date(message: Message) -> datetime:
    raw = header_text(message.get("Date"))
    try:
        moment = email.utils.parsedate_to_datetime(raw) if raw else None
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is None:
        raise InvalidValue(_("no readable date (Date: {date!r})").format(date=raw))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0)


def _made_up_id(data: bytes) -> str:
    """A Message-ID for a message without one, the same on every import of the same bytes."""
    return f"<{hashlib.sha256(data).hexdigest()[:32]}@crm.invalid>"


def _content(message: Message) -> tuple[str, list[Attachment], list[str]]:
    """The body as trimmed text, the attachments kept and the names of those left out."""
    plain = html = None
    attachments: list[Attachment] = []
    left_out: list[str] = []
    names: set[str] = set()
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = (part.get_content_disposition() or "").lower()
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if filename or disposition == "attachment":
            name = safe_name(header_text(filename) if filename else "", len(attachments) + 1, names)
            if len(payload) > MAX_ATTACHMENT:
                left_out.append(name)
            else:
                attachments.append(Attachment(name, payload))
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = decode_bytes(payload, part.get_content_charset())
        elif kind == "text/html" and html is None:
            html = decode_bytes(payload, part.get_content_charset())
    text = plain if plain is not None and plain.strip() else html_to_text(html or "")
    return trim_reply(text)[:MAX_BODY], attachments, left_out


def safe_name(name: str, number: int, taken: set[str]) -> str:
    """An attachment's file name that cannot leave its folder or surprise a shell: no path, no
    control or reserved characters, no leading dot, at most 100 characters, unique."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = UNSAFE_NAME.sub("_", name).strip(" ._")[:100] or f"attachment-{number}"
    stem, dot, suffix = name.rpartition(".")
    candidate, count = name, 1
    while candidate.lower() in taken:
        count += 1
        candidate = f"{stem}-{count}.{suffix}" if dot and stem else f"{name}-{count}"
    taken.add(candidate.lower())
    return candidate
