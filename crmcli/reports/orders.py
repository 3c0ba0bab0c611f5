"""Order lists and the order view: lines, totals, payments and status history."""

from __future__ import annotations

from decimal import Decimal

from crmcli.i18n import N_, _
from crmcli.model.kinds import KINDS
from crmcli.model.money import format_money, rounded
from crmcli.model.orders import (
    OPEN_STATES,
    amount_shown,
    is_open,
    line_net,
    money_shown,
    outstanding,
    paid,
    payment_entries,
    shipment_field,
)
from crmcli.model.record import Record
from crmcli.model.views import KEEP, LOW, Column, Document, Fields, Table
from crmcli.reports.common import when
from crmcli.store.questions import Match

LIST_COLUMNS = [
    Column("date", "date", style="date"),
    Column("id", "id", style="id"),
    Column("party_name", "party", priority=KEEP),
    Column("owner", "owner", priority=LOW),
    Column("status", "status", translate=True),
    Column("currency", "cur"),
    Column("gross", "gross", align="right", style="money"),
    Column("paid", "paid", align="right", style="money"),
    Column("outstanding", "outstanding", align="right", style="money"),
    Column("payment_due", "pay by", style="date"),
]


def order_row(order: dict, names: dict[str, str], today: str) -> dict:
    code = order["currency"]
    due = outstanding(order)
    late = bool((due is None or due > 0) and order.get("payment_due") and str(order["payment_due"]) < today)
    return {**order, "party_name": names.get(order.get("party", ""), order.get("party")),
            "gross": order["totals"]["gross"], "paid": amount_shown(paid(order), code),
            "outstanding": amount_shown(due, code),
            "_style": "red" if late else ("dim" if order.get("status") not in OPEN_STATES + ("delivered",) else None)}


def orders_of(repo, direction: str, query: str = "", open_only: bool = False) -> list[Record]:
    """Sales (`sale`) or purchase orders matching `query`; only open ones if asked."""
    # lazy: the query language loads in about 5 ms (python -X importtime); the reminders' digest
    # loads this module for `history_table` and selects no orders
    from crmcli.query.search import select

    records = select(repo, query, (KINDS["order"],), Match(one_of={"kind": (direction,)}))
    return [r for r in records if is_open(r.data)] if open_only else records


def order_list(repo, records: list[Record], title: str | None = None, empty: str = N_("no orders match")) -> Table:
    records = sorted(records, key=lambda r: (str(r.data.get("date")), r.id), reverse=True)
    names = repo.index.party_names()
    today = repo.clock.today().isoformat()
    return Table(LIST_COLUMNS, [order_row(r.data, names, today) for r in records],
                 title=title, records=[r.data for r in records], empty=empty)


LINE_COLUMNS = [
    Column("sku", "sku", style="id"), Column("description", "description"),
    Column("quantity", "qty", align="right"), Column("unit", "unit"),
    Column("unit_price", "price", align="right", style="money"), Column("discount", "disc", align="right"),
    Column("tax_rate", "tax", align="right"), Column("net", "net", align="right", style="money"),
]
PAYMENT_COLUMNS = [Column("date", "date", style="date"), Column("amount", "amount", align="right", style="money"),
                   Column("method", "method"), Column("ref", "ref"), Column("note", "note")]
SHIPMENT_COLUMNS = [Column("date", "date", style="date"), Column("carrier", "carrier"),
                    Column("tracking", "tracking"), Column("items", "items"), Column("by", "by")]
HISTORY_COLUMNS = [Column("at", "when", style="date"), Column("status", "status", translate=True), Column("by", "by"),
                   Column("note", "note")]


def percent(rate) -> str:
    """0.13 → `13%`, 0.035 → `3.5%`, 0 → `0%`; nothing when there is no rate."""
    return "" if rate is None else f"{(Decimal(rate) * 100).normalize():f}%"


def history_table(repo, record: dict) -> Table:
    rows = [{**entry, "at": when(entry.get("at"), repo.clock)} for entry in record.get("history") or []]
    return Table(HISTORY_COLUMNS, rows, title="History", empty="no history")


def order_view(repo, order: Record) -> Document:
    data = order.data
    code = data["currency"]
    names = repo.index.party_names()
    due = outstanding(data)
    kind = _("{id} (sales order, {type})") if data["kind"] == "sale" else _("{id} (purchase order, {type})")
    facts = [
        (N_("order"), kind.format(id=data["id"], type=_(data.get("type", "standard")))),
        (N_("party"), f"{names.get(data['party'], data['party'])} ({data['party']})"),
        (N_("owner"), data.get("owner")), (N_("region"), data.get("region")), (N_("date"), data.get("date")),
        (N_("status"), _(data.get("status"))), (N_("counts toward target"), data.get("counts_toward_target")),
        (N_("reference"), data.get("reference")), (N_("delivery due"), data.get("delivery_due")),
        (N_("delivered"), data.get("delivered")), (N_("payment terms"), data.get("payment_terms")),
        (N_("payment due"), data.get("payment_due")),
        (N_("net"), format_money(data["totals"]["net"], code)),
        (N_("discount"), format_money(data["totals"]["discount"], code) if data["totals"].get("discount") else None),
        (N_("tax"), format_money(data["totals"]["tax"], code)),
        (N_("gross"), format_money(data["totals"]["gross"], code)),
        (N_("paid"), money_shown(paid(data), code)),
        (N_("outstanding"), money_shown(due, code)) if due is None or due >= 0
        else (N_("credit"), format_money(-due, code)),
        (N_("open"), _("yes") if is_open(data) else _("no")),
        (N_("notes"), (data.get("notes") or "").strip()),
    ]
    lines = [{**line, "discount": percent(line.get("discount")) if line.get("discount") else "",
              "tax_rate": percent(line.get("tax_rate")), "net": rounded(line_net(line), code)}
             for line in data["lines"]]
    parts: list[Table | Fields] = [
        Fields([(k, v) for k, v in facts if v not in (None, "")], title=data["id"]),
        Table(LINE_COLUMNS, lines, title="Lines"),
        Table(PAYMENT_COLUMNS, payment_entries(data), title="Payments", empty="no payments"),
    ]
    field = shipment_field(data)
    if data.get(field):
        parts.append(Table(SHIPMENT_COLUMNS, [
            {**shipment, "items": ", ".join(f"{part.get('sku') or '#' + str(part['line'])} × {part['quantity']}"
                                            for part in shipment.get("lines") or [])}
            for shipment in data[field]], title="Shipments" if field == "shipments" else "Receipts"))
    parts.append(history_table(repo, data))
    return Document(parts, title=data["id"], payload={**data, "paid": amount_shown(paid(data)),
                                                      "outstanding": amount_shown(due)})
