"""`crm import vcard FILE`: cards from a phone or address book (vCard 2.1, 3.0, 4.0, read
by vobject) as parties and contacts.

A card with an organisation becomes a contact of that company (created when there is
none of that name); a card of the company itself (KIND:org, Apple's X-ABShowAs:COMPANY, or
an ORG without a person's name, as crm exports a company) is that company; a card without
an organisation is a person, checked for duplicates like a CSV row. Each card is parsed on
its own, so a broken one is rejected with its line number.

vCard 2.1 (Android, Outlook) writes non-ASCII text as QUOTED-PRINTABLE in the CHARSET it
names, with soft line breaks (`=` at the end of a line, the next line not indented) that
vobject cannot read; those values are decoded here first.
"""

from __future__ import annotations

import copy
import quopri
import re
from collections.abc import Iterator
from pathlib import Path

from crmcli.actions.contacts import put_contact
from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io.handlers import Parties
from crmcli.io.importer import Item, Outcome, Rejection, run_import
from crmcli.io.mapping import Mapping, Target, parse_mapping
from crmcli.io.sources import detect_encoding
from crmcli.io.values import country_code, present, typed
from crmcli.model.kinds import KINDS
from crmcli.model.likeness import name_key
from crmcli.model.merging import fold_records
from crmcli.model.record import Record
from crmcli.model.text import fold, has_cjk

BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)
BIRTHDAY = re.compile(r"^(?:(\d{4})-?|--)(\d{2})-?(\d{2})")
QUOTED_PRINTABLE = re.compile(r"(?:^|;)(?:ENCODING=)?QUOTED-PRINTABLE(?=;|$)", re.IGNORECASE)
CHARSET = re.compile(r";CHARSET=([^;:]+)", re.IGNORECASE)
WECHAT_SERVICES = {"wechat", "weixin", "微信"}
MESSENGER_PROPERTIES = {"x-qq": "qq", "x-skype": "skype", "x-skype-username": "skype", "x-whatsapp": "whatsapp",
                        "x-telegram": "telegram", "x-line": "line"}
SYSTEM_GROUPS = {"mycontacts", "starred"}
"""Google's own groups, which every exported card carries: not the user's categories."""


def card_texts(path: Path) -> Iterator[tuple[int, str]]:
    """(line of BEGIN:VCARD, text) of each card in the file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidValue(_("cannot read: {reason}").format(reason=error.strerror), where=str(path)) from error
    text = data.decode(detect_encoding(data[:1 << 20]), errors="replace")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not BEGIN.match(first.strip()):
        raise InvalidValue(_("not a vCard file (it does not start with BEGIN:VCARD)"), where=path.name)
    start = None
    for number, line in enumerate(lines, 1):
        if BEGIN.match(line.strip()):
            start = number
        elif END.match(line.strip()) and start is not None:
            yield start, "\r\n".join(lines[start - 1:number]) + "\r\n"
            start = None
    if start is not None:
        yield start, ""


def _decoded(line: str) -> str:
    """A QUOTED-PRINTABLE content line (soft breaks joined already) decoded in its CHARSET,
    written back without the encoding: line breaks in the text become vCard's `\\n`."""
    head, _colon, value = line.partition(":")
    charset = CHARSET.search(head)
    try:
        text = quopri.decodestring(value.encode("utf-8")).decode(charset[1] if charset else "utf-8", "replace")
    except LookupError:
        raise InvalidValue(_("unknown CHARSET {charset!r}").format(charset=charset[1] if charset else "")) from None
    head = CHARSET.sub("", QUOTED_PRINTABLE.sub("", head))
    return f"{head}:{text.replace(chr(13) + chr(10), chr(10)).replace(chr(10), chr(92) + 'n')}"


def unquoted(text: str) -> str:
    """The card with its QUOTED-PRINTABLE values decoded (a line ending in `=` continues on
    the next line, indented or not)."""
    lines = text.split("\r\n")
    out: list[str] = []
    while lines:
        line = lines.pop(0)
        if not QUOTED_PRINTABLE.search(line.partition(":")[0]):
            out.append(line)
            continue
        while line.endswith("=") and lines:
            line = line[:-1] + lines.pop(0).lstrip(" \t")
        out.append(_decoded(line))
    return "\r\n".join(out)


def _texts(card, name: str) -> list[str]:
    return [str(item.value).strip() for item in card.contents.get(name, []) if str(item.value).strip()]


def _birthday(card) -> str | None:
    """YYYY-MM-DD, or MM-DD when the year is unknown (--MMDD, or Apple's year 1604)."""
    for item in card.contents.get("bday", []):
        match = BIRTHDAY.match(str(item.value).strip())
        if match:
            year = match[1] if match[1] and "X-APPLE-OMIT-YEAR" not in item.params else None
            return f"{year}-{match[2]}-{match[3]}" if year else f"{match[2]}-{match[3]}"
    return None


def _address(item) -> dict:
    value = item.value
    address = {"street": " ".join(str(value.street).split()), "city": str(value.city),
               "province": str(value.region), "postcode": str(value.code)}
    if str(value.country).strip():
        address["country"] = country_code(str(value.country).strip())
    bare = list(getattr(item, "singletonparams", []))  # vCard 2.1 writes types bare: ADR;WORK;PREF:
    labels = [t for t in item.params.get("TYPE", []) + bare if t.lower() not in ("pref", "internet")]
    if labels:
        address["label"] = labels[0].lower()
    return {key: text for key, text in address.items() if text}


def _messengers(card) -> tuple[str | None, dict[str, str]]:
    """(WeChat handle, other messenger handles by network) from X-WECHAT, IMPP (with Apple's
    X-SERVICE-TYPE or a URI scheme) and Android's X-QQ and the like."""
    wechat = next(iter(_texts(card, "x-wechat") + _texts(card, "x-weixin")), None)
    im: dict[str, str] = {}
    for item in card.contents.get("impp", []):
        scheme, _colon, handle = str(item.value).strip().partition(":")
        if not handle:
            scheme, handle = "", scheme
        service = next(iter(item.params.get("X-SERVICE-TYPE", [])), "") or scheme
        network = service.strip().lower()
        if network in WECHAT_SERVICES:
            wechat = wechat or handle
        elif network and network not in ("x-apple", "im"):
            im.setdefault(network, handle)
    for name, network in MESSENGER_PROPERTIES.items():
        for handle in _texts(card, name):
            im.setdefault(network, handle)
    return wechat, im


def _is_company(card, name: str, org: str | None) -> bool:
    """Whether the card is of the organisation itself, not of a person working there."""
    kind = next(iter(_texts(card, "kind")), "").lower()
    shown = next(iter(_texts(card, "x-abshowas")), "").upper()
    if kind in ("org", "organization") or shown == "COMPANY":
        return True
    if org is None:
        return False
    person = any(str(part).strip() for item in card.contents.get("n", [])
                 for part in (item.value.family, item.value.given))
    return not person and (not name or fold(name) == fold(org))


def _tags(card) -> list[str]:
    """The card's categories as tags (which hold no spaces or commas): `Canton Fair` → canton-fair."""
    tags = ["-".join(tag.lower().split()) for item in card.contents.get("categories", []) for tag in item.value]
    return list(dict.fromkeys(tag for tag in tags if tag and tag not in SYSTEM_GROUPS))


PARTS = {"n": ("family", "given", "additional", "prefix", "suffix"),
         "adr": ("box", "extended", "street", "city", "region", "code", "country")}


def card_cells(card) -> dict[str, str]:
    """The card as the columns a `--map` names: each property by its name (`X-QQ`, `NOTE`;
    several values joined by `; `) and the parts of N and ADR (`ADR.country`, `N.given`)."""
    cells: dict[str, list[str]] = {}
    for name, items in card.contents.items():
        for item in items:
            value = item.value
            if name in PARTS:
                for part in PARTS[name]:
                    cells.setdefault(f"{name}.{part}".upper(), []).append(str(getattr(value, part, "") or "").strip())
                continue
            text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            cells.setdefault(name.upper(), []).append(text.strip())
    return {column: "; ".join(text for text in texts if text) for column, texts in cells.items()}


def card_values(text: str, mapping: Mapping | None = None, clock=None) -> dict:
    """What a card says, as the fields of a contact (`contact`) and of its company (`org`),
    whether it is the company's own card (`company`), its UID, and what `mapping` makes of
    its properties (`mapped`, party fields; `contacts[0].…` the card's person)."""
    # lazy: vobject loads in 50 ms (python -X importtime); only vCards need it
    import vobject

    if not text:
        raise InvalidValue(_("the card has no END:VCARD"))
    try:
        card = vobject.readOne(unquoted(text))
    except InvalidValue:
        raise
    except Exception as error:
        raise InvalidValue(_("not a readable vCard: {error}").format(error=error)) from error
    name = next(iter(_texts(card, "fn")), "")
    if not name and "n" in card.contents:
        family, given = str(card.n.value.family).strip(), str(card.n.value.given).strip()
        name = f"{family}{given}" if has_cjk(family + given) else " ".join(p for p in (given, family) if p)
    orgs = [item.value[0].strip() for item in card.contents.get("org", []) if item.value and item.value[0].strip()]
    org = orgs[0] if orgs else None
    if not name and org is None:
        raise InvalidValue(_("the card has no name (FN or N)"))
    wechat, im = _messengers(card)
    contact = {"name": name or org, "title": next(iter(_texts(card, "title")), None),
               "phones": [t.removeprefix("tel:") for t in _texts(card, "tel")],
               "emails": [t.removeprefix("mailto:") for t in _texts(card, "email")],
               "wechat": wechat, "im": im, "birthday": _birthday(card), "notes": next(iter(_texts(card, "note")), None)}
    addresses = [_address(item) for item in card.contents.get("adr", [])]
    return {"contact": {k: v for k, v in contact.items() if v}, "org": org,
            "company": _is_company(card, name, org), "addresses": [a for a in addresses if a], "tags": _tags(card),
            "uid": next(iter(_texts(card, "uid")), None), "website": next(iter(_texts(card, "url")), None),
            "mapped": _mapped(card, mapping, clock)}


def _mapped(card, mapping: Mapping | None, clock) -> tuple[dict, dict]:
    """(party fields, contact fields) that `mapping` reads from the card's properties."""
    if mapping is None:
        return {}, {}
    fields = typed({}, "party", present(mapping.apply(mapping.cells(card_cells(card)), clock)))
    contact = (fields.pop("contacts", None) or [{}])[0]
    return fields, contact


class Cards(Parties):
    """Cards as parties: an organisation's card adds or updates a contact of that company."""

    def take(self, item, tx) -> tuple[str, str | None]:
        card = item.values
        mapped, mapped_contact = card["mapped"]
        contact = {**card["contact"], **mapped_contact}
        uid = {"external_ids": {"vcard": card["uid"]}} if card["uid"] else {}
        if card["company"]:
            return self.own_card(card, {**uid, **mapped})
        if card["org"] is None:
            person = {"name": contact["name"], "entity": "person", "phones": contact.get("phones"),
                      "emails": contact.get("emails"), "addresses": card["addresses"], "notes": contact.get("notes"),
                      "tags": card["tags"], "website": card["website"], **uid, **mapped}
            extra = {k: v for k, v in contact.items() if k not in ("name", "phones", "emails", "notes") and v}
            if extra:
                person["contacts"] = [{"name": contact["name"], **extra}]
            return self.add({k: v for k, v in person.items() if v}, None)
        contact = {**contact, **uid}
        party = self.company(card)
        if party is None:
            company = {"name": card["org"], "addresses": card["addresses"], "tags": card["tags"], **mapped,
                       "contacts": [{**contact, "primary": True}]}
            return self.add({k: v for k, v in company.items() if v}, None)
        data = fold_records(party.data, mapped, lambda conflict: "b")[0] if mapped else copy.deepcopy(party.data)
        position = next((i for i, c in enumerate(data.get("contacts") or [])
                         if fold(str(c.get("name", ""))) == fold(contact["name"])), None)
        if position is None:
            put_contact(Record(party.ref, party.kind, data), contact)
            self.changed(party, data)
            return "create", None
        merged = fold_records(data["contacts"][position], contact, lambda conflict: "b")[0]
        data["contacts"][position] = merged
        if card["addresses"] and not data.get("addresses"):
            data["addresses"] = card["addresses"]
        return self.changed(party, data), None

    def own_card(self, card, extra: dict) -> tuple[str, str | None]:
        """The company's own card: its phones, emails and addresses are the company's."""
        contact = card["contact"]
        fields = {"name": card["org"] or contact["name"], "entity": "company", "phones": contact.get("phones"),
                  "emails": contact.get("emails"), "addresses": card["addresses"], "tags": card["tags"],
                  "website": card["website"], "notes": contact.get("notes"), **extra}
        fields = {k: v for k, v in fields.items() if v}
        party = self.company({**card, "org": fields["name"]})
        if party is None:
            return self.add(fields, None)
        return self.changed(party, fold_records(party.data, fields, lambda conflict: "b")[0]), None

    def company(self, card) -> Record | None:
        """The party of the card's organisation: the same name, give or take 有限公司 or GmbH."""
        ref = self.known().get(("name", name_key(card["org"])))
        return None if ref is None else self.current(ref)


def import_vcards(repo, path: Path, kind_name: str = "customer", *, mapping_text: str | None = None,
                  dry_run: bool = False, on_duplicate: str = "skip", skip_invalid: bool = False) -> Outcome:
    """Import the cards of `path`; `mapping_text` (as `--map` for CSV) maps card properties
    (`X-QQ=contacts[0].im.qq`, `NOTE=notes`, `ADR.country` …) to party fields."""
    if kind_name not in ("customer", "supplier"):
        raise InvalidValue(_("--kind {kind!r}: vCards become customers or suppliers").format(kind=kind_name))
    if not path.is_file():
        raise InvalidValue(_("no such file"), where=str(path))
    mapping = parse_mapping(mapping_text, Target("party")) if mapping_text else None

    def items():
        for number, (line, text) in enumerate(card_texts(path), 1):
            where = _("card {number} (line {line})").format(number=number, line=line)
            try:
                yield Item(where, card_values(text, mapping, repo.clock))
            except InvalidValue as error:
                yield Rejection(where, error.message)

    return run_import(repo, lambda: Cards(repo, KINDS[kind_name], None, path.name, on_duplicate=on_duplicate), items,
                      Outcome(path.name, kind_name, dry_run), skip_invalid=skip_invalid)
