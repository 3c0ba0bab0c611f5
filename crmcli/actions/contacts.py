"""The contacts nested in a party: add, edit, remove, and which one is primary."""

from __future__ import annotations

from crmcli.actions.fields import set_field
from crmcli.errors import Ambiguous, InvalidValue, NotFound
from crmcli.model.record import Record
from crmcli.model.text import fold


def find_contact(party: Record, name: str) -> int:
    """The position of the contact called `name` (or `#N`, counting from 1) in the party."""
    contacts = party.data.get("contacts") or []
    if name.startswith("#") and name[1:].isdigit():
        position = int(name[1:]) - 1
        if 0 <= position < len(contacts):
            return position
        raise NotFound(f"{party.id} has no contact #{name[1:]} (it has {len(contacts)})")
    wanted = fold(name)
    exact = [i for i, c in enumerate(contacts) if fold(str(c.get("name", ""))) == wanted]
    found = exact or [i for i, c in enumerate(contacts) if fold(str(c.get("name", ""))).startswith(wanted)]
    if len(found) == 1:
        return found[0]
    if found:
        raise Ambiguous(f"{name!r} is ambiguous in {party.id}", [f"#{i + 1} {contacts[i]['name']}" for i in found])
    raise NotFound(f"{party.id} has no contact {name!r}")


def _make_primary(contacts: list[dict], position: int) -> None:
    for index, contact in enumerate(contacts):
        if index == position:
            contact["primary"] = True
        else:
            contact.pop("primary", None)


def add_contact(repo, party: Record, contact: dict, primary: bool = False) -> dict:
    contact = {key: value for key, value in contact.items() if value not in (None, "", [], {})}
    if not str(contact.get("name", "")).strip():
        raise InvalidValue("a contact needs a name")
    with repo.writing(f"contact: add {contact['name']} to {party.title}") as tx:
        contacts = tx.fresh(party).data.setdefault("contacts", [])
        if any(fold(str(c.get("name", ""))) == fold(contact["name"]) for c in contacts):
            raise InvalidValue(f"{party.id} already has a contact named {contact['name']!r}")
        contacts.append(contact)
        if primary or len(contacts) == 1:
            _make_primary(contacts, len(contacts) - 1)
        tx.update(party)
    return contact


def edit_contact(repo, party: Record, name: str, sets=(), primary: bool = False) -> dict:
    find_contact(party, name)
    with repo.writing(f"contact: edit {name} at {party.title}") as tx:
        position = find_contact(tx.fresh(party), name)
        contacts = party.data["contacts"]
        for assignment in sets:
            if "=" not in assignment:
                raise InvalidValue(f"--set {assignment!r}: use FIELD=VALUE")
            field, _, value = assignment.partition("=")
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
