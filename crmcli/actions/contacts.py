"""The contacts nested in a party: add, edit, remove, and which one is primary."""

from __future__ import annotations

from crmcli.actions.fields import set_field
from crmcli.errors import Ambiguous, InvalidValue, NotFound
from crmcli.i18n import _
from crmcli.model.record import Record
from crmcli.model.text import fold


def find_contact(party: Record, name: str) -> int:
    """The position of the contact called `name` (or `#N`, counting from 1) in the party."""
    contacts = party.data.get("contacts") or []
    if name.startswith("#") and name[1:].isdigit():
        position = int(name[1:]) - 1
        if 0 <= position < len(contacts):
            return position
        raise NotFound(_("{party} has no contact #{number} (it has {count})").format(party=party.id, number=name[1:],
                                                                                   count=len(contacts)))
    wanted = fold(name)
    exact = [i for i, c in enumerate(contacts) if fold(str(c.get("name", ""))) == wanted]
    found = exact or [i for i, c in enumerate(contacts) if fold(str(c.get("name", ""))).startswith(wanted)]
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(_("{name!r} is ambiguous in {party}").format(name=name, party=party.id),
                        [f"#{i + 1} {contacts[i]['name']}" for i in found])
    raise NotFound(_("{party} has no contact {name!r}").format(party=party.id, name=name))


def _make_primary(contacts: list[dict], position: int) -> None:
    for index, contact in enumerate(contacts):
        if index == position:
            contact["primary"] = True
        else:
            contact.pop("primary", None)


def add_contact(repo, party: Record, contact: dict, primary: bool = False) -> dict:
    """Add a contact to the party as its file is under the writers' lock (nothing else lost)."""
    with repo.writing(f"contact: add {contact.get('name')} to {party.title}") as tx:
        contact = put_contact(tx.fresh(party), contact, primary)
        tx.update(party)
    return contact


def put_contact(party: Record, contact: dict, primary: bool = False) -> dict:
    """Add a contact to the party's record in memory (the first one becomes primary), for
    `crm contact add` and for imports; refuses a second contact of the same name."""
    contact = {key: value for key, value in contact.items() if value not in (None, "", [], {})}
    if not str(contact.get("name", "")).strip():
        raise InvalidValue(_("a contact needs a name"))
    contacts = party.data.setdefault("contacts", [])
    if any(fold(str(c.get("name", ""))) == fold(contact["name"]) for c in contacts):
        raise InvalidValue(_("{party} already has a contact named {name!r}").format(party=party.id,
                                                                                  name=contact["name"]))
    contacts.append(contact)
    if primary or len(contacts) == 1:
        _make_primary(contacts, len(contacts) - 1)
    return contact


def edit_contact(repo, party: Record, name: str, sets=(), primary: bool = False) -> dict:
    find_contact(party, name)
    with repo.writing(f"contact: edit {name} at {party.title}") as tx:
        position = find_contact(tx.fresh(party), name)
        contacts = party.data["contacts"]
        for assignment in sets:
            if "=" not in assignment:
                raise InvalidValue(_("--set {assignment!r}: use FIELD=VALUE").format(assignment=assignment))
            field, _equals, value = assignment.partition("=")
            set_field(party.data, party.kind.schema, f"contacts[{position}].{field}={value}")
        if primary:
            _make_primary(contacts, position)
        tx.update(party)
    return contacts[position]


def remove_contact(repo, party: Record, name: str) -> dict:
    find_contact(party, name)
    with repo.writing(f"contact: remove {name} from {party.title}") as tx:
        position = find_contact(tx.fresh(party), name)
        contact = party.data["contacts"].pop(position)
        if not party.data["contacts"]:
            del party.data["contacts"]
        tx.update(party)
    return contact
