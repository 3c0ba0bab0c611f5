"""vCards (3.0 and 4.0) out of the parties, written with vobject: one card per contact of a
company (its name as ORG), one per person, one for a company without contacts.

Chinese names are split into family and given name by their first character (or
compound surname), so phones sort and show them as people there expect.
"""

from __future__ import annotations

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.io.exports import redacted
from crmcli.model.kinds import PARTY_KINDS
from crmcli.model.text import fold, has_cjk

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


def _card(version: str, name: str, org: str | None, fields: dict, addresses: list[dict], is_org: bool = False):
    import vobject

    card = vobject.vCard()
    card.add("version").value = version
    if is_org and version == "4.0":
        card.add("kind").value = "org"
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
    return card.serialize()


def party_cards(data: dict, version: str) -> list[str]:
    """The cards of one party."""
    addresses = data.get("addresses") or []
    contacts = data.get("contacts") or []
    if data.get("entity") == "person":
        self_contact: dict = next((c for c in contacts if fold(c.get("name", "")) == fold(data["name"])), {})
        fields = {**self_contact, "phones": (data.get("phones") or []) + (self_contact.get("phones") or []),
                  "emails": (data.get("emails") or []) + (self_contact.get("emails") or []),
                  "notes": data.get("notes"), "tags": data.get("tags")}
        cards = [_card(version, data["name"], None, fields, addresses)]
        return cards + [_card(version, c["name"], None, c, []) for c in contacts if c is not self_contact]
    if not contacts:
        return [_card(version, data["name"], data["name"], data, addresses, is_org=True)]
    return [_card(version, contact["name"], data["name"], contact, addresses) for contact in contacts]


def export_vcards(repo, query: str = "", version: str = "3.0", redact: bool = False) -> str:
    """The vCards of the party `query` names, or of the parties matching it as a query (all
    when empty)."""
    from crmcli.query.resolve import named_party
    from crmcli.query.search import select

    if version not in VERSIONS:
        raise InvalidValue(_("--version {version!r}: use 3.0 or 4.0").format(version=version))
    one = named_party(repo, query) if query.strip() else None
    parties = [one] if one is not None else select(repo, query, PARTY_KINDS)
    if not parties:
        raise InvalidValue(_("no party matches {query!r}").format(query=query) if query.strip()
                           else _("no customer or supplier to export"))
    texts = []
    for party in sorted(parties, key=lambda record: record.ref):
        texts += party_cards(redacted(party.data) if redact else party.data, version)
    return "".join(texts)
