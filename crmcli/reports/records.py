"""Lists and views of the simpler kinds: products and contracts."""

from __future__ import annotations

from datetime import date

from crmcli.i18n import N_, _, money_text
from crmcli.model.money import format_money, padded
from crmcli.model.record import Record
from crmcli.model.views import KEEP, LOW, Column, Document, Fields, Table
from crmcli.reports.orders import history_table, percent

PRODUCT_COLUMNS = [
    Column("id", "sku", style="id"), Column("name", "name", priority=KEEP),
    Column("category", "category", priority=LOW),
    Column("unit", "unit"), Column("price", "price", align="right", style="money"), Column("currency", "cur"),
    Column("tax", "tax", align="right"), Column("supplier", "supplier", priority=LOW), Column("active", "active"),
]
CONTRACT_COLUMNS = [
    Column("id", "id", style="id"), Column("title", "title", priority=KEEP),
    Column("party_name", "party", priority=KEEP), Column("status", "status", translate=True),
    Column("value", "value", align="right", style="money"), Column("currency", "cur"),
    Column("start", "start", style="date"), Column("end", "end", style="date"), Column("ends_in", "ends in"),
]


def product_list(repo, records: list[Record]) -> Table:
    records = sorted(records, key=lambda r: r.id)
    rows = [{**r.data, "tax": percent(r.data.get("tax_rate")),
             "_style": None if r.data.get("active", True) else "dim"} for r in records]
    return Table(PRODUCT_COLUMNS, rows, records=[r.data for r in records], empty="no products match")


def _fields(record: dict, skip=("history", "attachments")) -> list[tuple[str, object]]:
    return [(key, value) for key, value in record.items() if key not in skip and value not in (None, "", [])]


def product_view(repo, product: Record) -> Document:
    data = product.data
    code = data.get("currency")
    facts = [(key, money_text(padded(data["price"], code), code) if key == "price" else value)
             for key, value in _fields(data)]
    return Document([Fields(facts, title=data.get("name"))], payload=data)


def _days_left(record: dict, today: date) -> int | None:
    """Days until a running contract ends (negative: ended that long ago); None when it has no end or is over."""
    if not record.get("end") or record.get("status") in ("expired", "terminated"):
        return None
    return (date.fromisoformat(str(record["end"])) - today).days


def _ends_in(days: int | None) -> str:
    if days is None:
        return ""
    return _("{days} days").format(days=days) if days >= 0 else _("ended {days} days ago").format(days=-days)


def contract_list(repo, records: list[Record], title: str | None = None,
                  empty: str = N_("no contracts match")) -> Table:
    names = repo.index.party_names()
    today = repo.clock.today()
    records = sorted(records, key=lambda r: (str(r.data.get("end") or "9999"), r.id))
    rows = []
    for record in records:
        data = record.data
        days = _days_left(data, today)
        soon = days is not None and 0 <= days <= int(data.get("renewal_notice_days") or 30)
        rows.append({**data, "party_name": names.get(data.get("party", ""), data.get("party")),
                     "ends_in": _ends_in(days),
                     "_style": "yellow" if soon else ("dim" if data.get("status") in ("expired", "terminated")
                                                      else None)})
    return Table(CONTRACT_COLUMNS, rows, title=title, records=[r.data for r in records], empty=empty)


def contract_view(repo, contract: Record) -> Document:
    data = contract.data

    def shown(key: str, value):
        if key == "value":
            return format_money(value, data.get("currency"))
        return _(value) if key == "status" else value

    facts = [(key, shown(key, value)) for key, value in _fields(data)]
    attachments = Table([Column("path", "file"), Column("sha256", "sha256", style="id"), Column("added", "added")],
                        data.get("attachments") or [], title="Attachments", empty="no attachments")
    return Document([Fields(facts, title=data.get("title")), history_table(repo, data), attachments], payload=data)
