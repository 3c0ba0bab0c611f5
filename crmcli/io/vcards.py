"""vCards (3.0 and 4.0) out of the parties, written with vobject: one card per contact of a
company (its name as ORG), one per person, one card for each company itself.

Chinese names are split into family and given name by their first character (or
compound surname), so phones sort and show them as people there expect.

Every card has a UID that stays the same across exports (the one it was imported with, else
one derived from the party and the contact's name), because address books (khard, CardDAV)
refuse cards without one and update a card only when its UID matches. Lines are folded at
75 octets, never inside a UTF-8 character, as RFC 6350 asks.
"""

from __future__ import annotations

import uuid

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io.exports import redacted
from crmcli.model.kinds import PARTY_KINDS
from crmcli.model.text import fold, has_cjk
from crmcli.query.resolve import named_party
from crmcli.query.search import select

VERSIONS = ("3.0", "4.0")
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                     "司徒", "夏侯", "令狐", "端木", "澹台", "轩辕", "独孤")


def split_name(name: str) -> tuple[str, str]:
    """(family, given): 张伟 → (张, 伟), 欧阳娜娜 → (欧阳, 娜娜), Hélène Dupré → (Dupré, Hélène)."""
    name = name.strip()
    if has_cjk(name) and " " not in name:
        size = 2 if name.startswith(COMPOUND_SURNAMES) and len(name) > 2 else 1
        return name[:size], name[size:]
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


def _birthday(text: str, version: str) -> str:
    """YYYY-MM-DD or MM-DD as vCard writes it: 4.0 in basic form (19851125, --1125)."""
    if len(text) == 5:
        return f"--{text.replace('-', '')}" if version == "4.0" else f"--{text}"
    return text.replace("-", "") if version == "4.0" else text


UID_NAMESPACE = uuid.UUID("5f0c6f1e-8d3a-4b1e-9a53-6b1c0e0d5c21")
"""Fixed, so the UID derived from a party's reference and a contact's name never changes."""
LINE_OCTETS = 75
MESSENGER_SCHEMES = {"qq": "x-apple", "whatsapp": "whatsapp", "telegram": "x-apple", "skype": "skype",
                     "line": "x-apple", "xmpp": "xmpp", "signal": "x-apple"}
"""IMPP URI schemes by network (RFC 6350 §6.4.3); Apple's `x-apple:` where the network has none."""


def card_uid(ref: str, fields: dict, contact: str | None = None) -> str:
    """The card's UID: the one it came with (external_ids.vcard), else a name-based UUID of the
    party's reference and the contact's name (folded, so case and width do not matter)."""
    kept = (fields.get("external_ids") or {}).get("vcard")
    if kept:
        return str(kept)
    key = ref if contact is None else f"{ref}#{fold(contact)}"
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, key)}"


def fold_line(line: str) -> str:
    """One content line folded at 75 octets (RFC 6350 §3.2) without splitting a UTF-8
    character: continuation lines start with a space, which counts in their 75."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _folded(text: str) -> str:
    """vobject's serialisation (unfolded) folded by octets."""
    return "".join(fold_line(line) + "\r\n" for line in text.split("\r\n") if line)


def _messengers(card, fields: dict) -> None:
    """WeChat as X-WECHAT (what Chinese address books read) and as IMPP with its service type
    (Apple, Android); other networks as IMPP."""
    handles = {"WeChat": fields["wechat"]} if fields.get("wechat") else {}
    handles.update({network: handle for network, handle in (fields.get("im") or {}).items() if handle})
    if fields.get("wechat"):
        card.add("x-wechat").value = str(fields["wechat"])
    for network, handle in handles.items():
        scheme = "weixin" if network == "WeChat" else MESSENGER_SCHEMES.get(network.lower(), "x-apple")
        impp = card.add("impp")
        impp.value = f"{scheme}:{handle}"
        impp.params["X-SERVICE-TYPE"] = [network if network == "WeChat" else network.capitalize()]


def _card(version: str, name: str, org: str | None, fields: dict, addresses: list[dict], uid: str,
          is_org: bool = False):
    # lazy: vobject loads in 50 ms (python -X importtime); only vCards need it
    import vobject

    card = vobject.vCard()
    card.add("version").value = version
    card.add("uid").value = uid
    if is_org:
        if version == "4.0":
            card.add("kind").value = "org"
        card.add("x-abshowas").value = "COMPANY"
    card.add("fn").value = name
    family, given = ("", "") if is_org else split_name(name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if org:
        card.add("org").value = [org]
    if fields.get("title"):
        card.add("title").value = fields["title"]
    for phone in fields.get("phones") or []:
        card.add("tel").value = str(phone)
    for email in fields.get("emails") or []:
        card.add("email").value = str(email)
    _messengers(card, fields)
    for address in addresses:
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(street=address.get("street", ""), city=address.get("city", ""),
                                          region=address.get("province", ""), code=address.get("postcode", ""),
                                          country=address.get("country", ""))
        if address.get("label"):
            adr.type_param = address["label"]
    if fields.get("birthday"):
        card.add("bday").value = _birthday(str(fields["birthday"]), version)
    if fields.get("notes"):
        card.add("note").value = str(fields["notes"]).rstrip("\n")
    if fields.get("tags"):
        card.add("categories").value = list(fields["tags"])
    return _folded(card.serialize(lineLength=1 << 30))


def party_cards(ref: str, data: dict, version: str) -> list[str]:
    """The cards of one party: a person's own card and one per other contact; one per contact
    of a company, with the company as ORG, or the company's own card when it has no contacts."""
    addresses = data.get("addresses") or []
    contacts = data.get("contacts") or []
    if data.get("entity") == "person":
        self_contact: dict = next((c for c in contacts if fold(c.get("name", "")) == fold(data["name"])), {})
        fields = {**self_contact, "phones": (data.get("phones") or []) + (self_contact.get("phones") or []),
                  "emails": (data.get("emails") or []) + (self_contact.get("emails") or []),
                  "notes": data.get("notes"), "tags": data.get("tags"), "external_ids": data.get("external_ids")}
        cards = [_card(version, data["name"], None, fields, addresses, card_uid(ref, fields))]
        return cards + [_card(version, c["name"], None, c, [], card_uid(ref, c, c["name"]))
                        for c in contacts if c is not self_contact]
    if not contacts:
        return [_card(version, data["name"], data["name"], data, addresses, card_uid(ref, data), is_org=True)]
    return [_card(version, contact["name"], data["name"], contact, addresses, card_uid(ref, contact, contact["name"]))
            for contact in contacts]


def export_vcards(repo, query: str = "", version: str = "3.0", redact: bool = False) -> str:
    """The vCards of the party `query` names, or of the parties matching it as a query (all
    when empty)."""
    if version not in VERSIONS:
        raise InvalidValue(_("--version {version!r}: use 3.0 or 4.0").format(version=version))
    one = named_party(repo, query) if query.strip() else None
    parties = [one] if one is not None else select(repo, query, PARTY_KINDS)
    if not parties:
        raise InvalidValue(_("no party matches {query!r}").format(query=query) if query.strip()
                           else _("no customer or supplier to export"))
    texts = []
    for party in sorted(parties, key=lambda record: record.ref):
        texts += party_cards(party.ref, redacted(party.data) if redact else party.data, version)
    return "".join(texts)
