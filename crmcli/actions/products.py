"""The product catalog: add, edit, remove."""

from __future__ import annotations

from crmcli.errors import CrmError, InvalidValue
from crmcli.i18n import N_, _
from crmcli.model.ids import SLUG
from crmcli.model.kinds import KINDS
from crmcli.model.money import currency as currency_code
from crmcli.model.money import parse_decimal, parse_rate
from crmcli.model.orders import SKU_LIKE
from crmcli.model.record import Record
from crmcli.model.text import words


def add_product(repo, sku: str, name: str, **how) -> Record:
    record = new_product(repo, sku, name, **how)
    kind = KINDS["product"]
    with repo.writing(f"product: add {record['id']} {record['name']}") as tx:
        ref = tx.put(kind, record, new=True)
    return Record(ref, kind, record)


def new_product(repo, sku: str, name: str, *, price: str | None = None, currency: str | None = None,
                unit: str | None = None, tax_rate: str | None = None, category: str | None = None,
                supplier: Record | None = None, active: bool = True, description: str | None = None) -> dict:
    """A product record, for `crm product add` and for imports."""
    sku = sku.strip()
    if not (SKU_LIKE.match(sku) or SLUG.match(sku.lower())) or "/" in sku:
        raise InvalidValue(_("invalid SKU {sku!r}: letters, digits, dots, dashes and underscores").format(sku=sku))
    record: dict = {"id": sku, "name": name.strip()}
    if description:
        record["description"] = description
    if unit:
        record["unit"] = unit
    if price is not None:
        value = parse_decimal(price, N_("price"))
        if value < 0:
            raise InvalidValue(_("a price cannot be negative"))
        record["price"] = value
        record["currency"] = currency_code(currency or repo.config.currency)
    elif currency:
        record["currency"] = currency_code(currency)
    if tax_rate is not None:
        record["tax_rate"] = parse_rate(tax_rate, N_("tax rate"))
    if category:
        record["category"] = category
    if supplier is not None:
        if supplier.kind.name != "supplier":
            raise InvalidValue(_("{ref} is not a supplier").format(ref=supplier.ref))
        record["supplier"] = supplier.ref
    record["active"] = active
    return record


def orders_with(repo, sku: str) -> list[Record]:
    with_sku = "f.file_id IN (SELECT file_id FROM terms WHERE field = 'lines.sku' AND text = ?)"
    return [order for order in repo.records("order", with_sku, (words(sku),))
            if any(line.get("sku") == sku for line in order.data.get("lines", []))]


def remove_product(repo, product: Record, force: bool = False) -> None:
    """Remove a product; while orders name it, only with `force` (the orders keep their lines)."""
    used = orders_with(repo, product.id)
    if used and not force:
        raise CrmError(_("{sku} is on {count} order(s), e.g. {example}; --force removes it anyway "
                         "(the orders keep their lines)").format(sku=product.id, count=len(used), example=used[0].id))
    with repo.writing(f"product: remove {product.id}") as tx:
        tx.remove(product.ref)
