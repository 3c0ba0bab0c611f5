"""`crm contact list`: the people at one party, or at all of them."""

from __future__ import annotations

from crmcli.i18n import _
from crmcli.model.record import Record
from crmcli.model.text import fold
from crmcli.model.views import Column, Table

COLUMNS = [
    Column("party", "party", style="id"),
    Column("name", "name"),
    Column("title", "title"),
    Column("phones", "phones"),
    Column("emails", "emails"),
    Column("wechat", "wechat"),
    Column("primary", "primary"),
]


def contact_list(repo, party: Record | None = None) -> Table:
    parties = [party] if party else repo.records("customer") + repo.records("supplier")
    contacts = [{"id": f"{record.id}#{position}", "party": record.ref, **contact}
                for record in parties for position, contact in enumerate(record.data.get("contacts") or [], 1)]
    contacts.sort(key=lambda contact: (contact["party"], fold(str(contact.get("name", "")))))
    rows = [{**contact, "primary": _("yes") if contact.get("primary") else ""} for contact in contacts]
    return Table(COLUMNS, rows, records=contacts, empty="no contacts")
