"""`crm ledger`, the sales ledger (销售台账): the register of orders, or sums grouped by
period, party, owner, product, category, region, industry or type, one table per currency.

Every sum is Decimal. Order-level measures add the orders' stored totals; grouping by
product or category works on lines, adding their exact nets and taxes and rounding
once per group, as an order does.
"""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import repeat
from operator import add, itemgetter
from typing import NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _, quarter_text
from crmcli.model.kinds import KINDS
from crmcli.model.locked import LOCK, Locked
from crmcli.model.money import MINOR_UNITS, converter, rounded
from crmcli.model.money import currency as currency_code
from crmcli.model.orders import (
    ORDER_GROUP_KEYS,
    OWING_STATES,
    counts_toward_target,
    group_value,
    line_items,
    line_net,
    outstanding,
    paid,
)
from crmcli.model.periods import Period, parse_period
from crmcli.model.text import fold
from crmcli.model.views import KEEP, LOW, NORMAL, Column, Document, Table
from crmcli.query.search import query_of, select
from crmcli.store.index import QUANTITY_SCALE
from crmcli.store.questions import LOCKED_MARK, Match

ORDER_KEYS = tuple(ORDER_GROUP_KEYS)
LINE_KEYS = (N_("product"), N_("category"))
MEASURES = (N_("orders"), N_("quantity"), N_("net"), N_("discount"), N_("tax"), N_("gross"), N_("paid"),
            N_("outstanding"))
MONEY = ("net", "discount", "tax", "gross", "paid", "outstanding")
UNKNOWABLE = ("paid", "outstanding")
"""Measures a protected payment may hide from the reader (model/locked.py)."""
MEASURE_PRIORITY = {"discount": LOW, "tax": LOW, "quantity": LOW, "orders": NORMAL, "paid": NORMAL}
"""Which measures a narrow terminal drops first; net, gross and outstanding stay."""


class Fact(NamedTuple):
    """One order, or one line of an order, with what the ledger groups and adds (its values
    are converted in place). A named tuple, not a dataclass: the ledger defines it at
    start-up, at a fraction of the cost."""

    order: dict
    line: dict | None
    keys: dict
    values: dict


def _facts(orders: list[dict], by_line: bool, parties: dict, products: dict) -> list[Fact]:
    facts = []
    for order in orders:
        party = parties.get(order["party"], {})
        keys = {name: group_value(key, order, party) for name, key in ORDER_GROUP_KEYS.items()}
        if not by_line:
            totals = order["totals"]
            values = {"orders": 1, "quantity": sum(Decimal(line["quantity"]) for line in order["lines"]),
                      "net": totals["net"], "discount": totals.get("discount", Decimal(0)), "tax": totals["tax"],
                      "gross": totals["gross"], "paid": paid(order) or 0, "outstanding": outstanding(order) or 0,
                      "locked": int(paid(order) is None)}  # payments this reader cannot open: 🔒, see _finish
            facts.append(Fact(order, None, keys, values))
            continue
        for line in order["lines"]:
            net = line_net(line)
            gross = Decimal(line["quantity"]) * Decimal(line["unit_price"])
            tax = net * Decimal(line.get("tax_rate", 0))
            product = products.get(line.get("sku"), {})
            facts.append(Fact(order, line, {**keys, "product": line.get("sku") or line.get("description", ""),
                                            "category": product.get("category", "")},
                              {"orders": 1, "quantity": Decimal(line["quantity"]), "net": net,
                               "discount": gross - net, "tax": tax, "gross": net + tax}))
    return facts


def _order(text) -> tuple:
    """Groups in order of their name, the unnamed ("") last."""
    return (text == "", fold(str(text)))


def ledger(repo, *, by: list[str] | None = None, period: str | None = None, purchases: bool = False,
           counted_only: bool = False, query: str = "", lines: bool = False, convert: str | None = None) -> Document:
    by = [key.strip().lower() for key in by or [] if key.strip()]
    for key in by:
        if key not in ORDER_KEYS + LINE_KEYS:
            raise InvalidValue(_("unknown --by key {key!r} (use {keys})").format(key=key,
                                                                               keys=", ".join(ORDER_KEYS + LINE_KEYS)))
    if len(by) > 2:
        raise InvalidValue(_("--by takes at most two keys (e.g. --by owner,month)"))
    span: Period | None = parse_period(period, repo.clock.today()) if period else None
    direction = "purchase" if purchases else "sale"
    target = currency_code(convert) if convert else None
    to_target = converter(target, repo.config.currency, repo.config.rates) if target else None
    match = Match(one_of={"kind": (direction,), "status": OWING_STATES},
                  since=span.start.isoformat() if span else None, until=span.end.isoformat() if span else None)
    by_line = lines or any(key in LINE_KEYS for key in by)
    label = span.label if span else "all"
    if by and not by_line and not target:
        tables = _sql_cells(repo, query, match._replace(counted=counted_only), by[0], by[-1], MEASURES)
        if tables is not None:
            return _document(tables or {repo.config.currency: {}}, by, MEASURES, purchases, label, direction)
    if by_line and by and not lines and not target:
        line_measures = tuple(m for m in MEASURES if m not in UNKNOWABLE)
        tables = _line_cells(repo, query, match._replace(counted=counted_only), by, line_measures)
        if tables is not None:
            return _document(tables or {repo.config.currency: {}}, by, line_measures, purchases, label, direction)
    if by_line:
        orders = [r.data for r in select(repo, query, (KINDS["order"],), match)]
    else:
        orders = _order_summaries(repo, query, match)
    orders = [o for o in orders if not counted_only or counts_toward_target(o)]
    orders.sort(key=lambda o: (str(o["date"]), o["id"]))
    if to_target is not None:
        for code in {o["currency"] for o in orders}:
            to_target(0, code)
    parties = repo.index.party_facts()
    products = {p.id: p.data for p in repo.records("product")} if by_line else {}
    groups: dict[str, list[dict]] = {}
    for order in orders:
        groups.setdefault(target or order["currency"], []).append(order)
    if not groups:
        groups[target or repo.config.currency] = []
    measures = tuple(m for m in MEASURES if not (by_line and m in ("paid", "outstanding")))
    parts: list[Table] = []
    currencies: dict[str, dict] = {}
    for code, chosen in sorted(groups.items()):
        def converted(order, amount):
            return to_target(amount, order["currency"]) if to_target else Decimal(amount)
        facts = _facts(chosen, by_line, parties, products)
        if to_target:
            for fact in facts:
                for measure in MONEY:
                    if measure in fact.values:
                        fact.values[measure] = converted(fact.order, fact.values[measure])
        if by:
            table, data = _grouped(_cells(facts, by[0], by[-1], measures), by, measures, code)
        else:
            table, data = _register(facts, measures, code)
        table.title = _title(purchases, label, code)
        parts.append(table)
        currencies[code] = data
    return Document(parts, title="Ledger", payload={"period": label, "by": by, "kind": direction,
                                                    "currencies": currencies})


def _order_summaries(repo, query: str, match: Match) -> list[dict]:
    """Orders with just what an order-level ledger needs, read by the store: far faster than
    decoding 25,000 whole orders, and exact, since numbers come as written."""
    orders = []
    for row in repo.ask.order_summaries(match._replace(kinds=("order",), query=query_of(repo, query))):
        totals = {key: Decimal(row[key]) for key in ("net", "tax", "gross")}
        if row["discount"] is not None:
            totals["discount"] = Decimal(row["discount"])
        orders.append({**{key: row[key] for key in ("id", "date", "party", "owner", "region", "type", "currency",
                                                    "status")},
                       **({} if row["counts_toward_target"] is None
                          else {"counts_toward_target": row["counts_toward_target"] != "false"}),
                       "totals": totals,
                       "payments": Locked(LOCKED_MARK) if row["payments"] == LOCKED_MARK
                       else [{"amount": Decimal(a)} for a in (row["payments"] or "").split()],
                       "lines": json.loads(row["lines"] or "[]", parse_float=Decimal, parse_int=Decimal)})
    return orders


def _document(tables: dict[str, dict], by: list[str], measures: tuple, purchases: bool, label: str,
              direction: str) -> Document:
    """One grouped table per currency from running sums."""
    parts: list[Table] = []
    currencies: dict[str, dict] = {}
    for code, cells in sorted(tables.items()):
        table, data = _grouped(cells, by, measures, code)
        table.title = _title(purchases, label, code)
        parts.append(table)
        currencies[code] = data
    return Document(parts, title="Ledger", payload={"period": label, "by": by, "kind": direction,
                                                    "currencies": currencies})


def _title(purchases: bool, label: str, code: str) -> str:
    period = _("all") if label == "all" else quarter_text(label)
    heading = _("Purchase ledger · {period} · {currency}") if purchases else _("Sales ledger · {period} · {currency}")
    return heading.format(period=period, currency=code)


def _shown(key: str, value: str) -> str:
    """A group's value as people read it (a quarter, an order type in the run's language)."""
    if key == "quarter":
        return quarter_text(value)
    return _(value) if key == "type" else value


def _measure_columns(measures: tuple) -> list[Column]:
    return [Column(m, m, align="right", style="money" if m in MONEY else None, priority=MEASURE_PRIORITY.get(m))
            for m in measures]


def _add(into: dict, facts_or_sums, measures: tuple) -> dict:
    """Running sums of facts, or of other running sums: of the order ids seen (`ids`, for
    lines whose orders must be counted once) or of how many orders (`count`, for sums of
    orders no other sum holds), and of how many orders' payments are unknown (`locked`)."""
    added = [measure for measure in measures if measure != "orders"]
    for item in facts_or_sums:
        if isinstance(item, Fact):
            into["ids"].add(item.order["id"])
            into["locked"] += item.values.get("locked", 0)
            values = item.values
        else:
            into["ids"] |= item["ids"]
            into["count"] += item["count"]
            into["locked"] += item["locked"]
            values = item
        for measure in added:
            into[measure] += values[measure]
    return into


def _empty(measures: tuple) -> dict:
    return {"ids": set(), "count": 0, "locked": 0, **{measure: 0 for measure in measures if measure != "orders"}}


def _finish(sums: dict, measures: tuple, code: str) -> dict:
    """The measures of one group, as `_finished` makes them."""
    return {name: column[0] for name, column in _finished([sums], measures, code).items()}


def _finished(groups: list[dict], measures: tuple, code: str) -> dict[str, list]:
    """The values of each measure (a column, one value per group, by the measure's name):
    orders counted once, money rounded once; what was paid and is outstanding reads 🔒 when
    a protected payment this reader cannot open is in it. Whole numbers are what the store
    added: money in minor units, quantities in millionths (exact, and already rounded). Made
    a measure at a time, so that a column of whole numbers (a ledger of 20,000 rows from the
    store) becomes Decimals without a test per cell."""
    places = -MINOR_UNITS.get(code, 2)
    locked = list(map(itemgetter("locked"), groups))
    columns = {"orders": list(map(add, map(len, map(itemgetter("ids"), groups)), map(itemgetter("count"), groups)))}
    for measure in measures:
        if measure == "orders":
            continue
        values = list(map(itemgetter(measure), groups))
        whole = set(map(type, values)) == {int}
        if whole and measure in MONEY:
            column: list = list(map(Decimal.scaleb, map(Decimal, values), repeat(places)))
        elif whole:
            column = [Decimal(value) / QUANTITY_SCALE if value else value for value in values]
        else:
            column = [_measure(value, measure, places, code) for value in values]
        if measure in UNKNOWABLE and any(locked):
            column = [LOCK if hidden else value for hidden, value in zip(locked, column, strict=True)]
        columns[measure] = column
    return columns


def _measure(value, measure: str, places: int, code: str):
    """One measure of a group from its running sum: a Decimal sum as it is, money rounded;
    a whole number as the store adds it (money in minor units, quantities in millionths)."""
    if type(value) is not int:
        return rounded(value, code) if measure in MONEY else value
    if measure in MONEY:
        return Decimal(value).scaleb(places)
    return Decimal(value) / QUANTITY_SCALE if value else value


def _cells(facts: list[Fact], first: str, second: str, measures: tuple) -> dict[str, dict[str, dict]]:
    """Running sums per group and subgroup, in one pass over the facts."""
    cells: dict[str, dict[str, dict]] = {}
    for fact in facts:
        inner = cells.setdefault(fact.keys[first], {})
        _add(inner.setdefault(fact.keys[second], _empty(measures)), (fact,), measures)
    return cells


def _sql_cells(repo, query: str, match: Match, first: str, second: str, measures: tuple):
    """{currency: cells} summed by the store for order-level ledgers (exactly: see
    `Questions.order_sums`), kept as the store's whole numbers until `_finish`; None when the
    store cannot add them exactly."""
    rows = repo.ask.order_sums(match._replace(kinds=("order",), query=query_of(repo, query)), first, second)
    if rows is None:
        return None
    names = repo.index.party_names()
    parties = [level in ("customer", "supplier", "party") for level in (first, second)]
    tables: dict[str, dict[str, dict[str, dict]]] = {}
    for currency, outer, inner, orders, net, discount, tax, gross, settled, locked, quantity in rows:
        if parties[0]:
            outer = names.get(outer, outer)
        if parties[1]:
            inner = names.get(inner, inner)
        sums = {"net": net, "discount": discount, "tax": tax, "gross": gross, "paid": settled,
                "outstanding": gross - settled, "quantity": quantity, "locked": locked, "ids": set(), "count": orders}
        cell = tables.setdefault(currency, {}).setdefault(outer, {})
        if inner in cell:
            _add(cell[inner], (sums,), measures)
        else:
            cell[inner] = sums
    return tables


def _line_cells(repo, query: str, match: Match, by: list[str], measures: tuple):
    """{currency: cells} of order lines grouped by `by` (a product or category among them),
    added here as exact Decimals from the lines the index keeps (`Questions.order_lines`),
    as `_facts` adds them from whole orders; None when the store cannot answer exactly."""
    keys = tuple(key for key in dict.fromkeys(by) if key in ORDER_KEYS)
    rows = repo.ask.order_lines(match._replace(kinds=("order",), query=query_of(repo, query)), keys)
    if rows is None:
        return None
    names = repo.index.party_names()
    categories = ({p.id: p.data.get("category", "") for p in repo.records("product")} if "category" in by else {})
    tables: dict[str, dict[str, dict[str, dict]]] = {}
    for currency, order, product, sku, quantity, listed, net, tax, *values in rows:
        found = dict(zip(keys, values, strict=True))
        labels = []
        for key in (by[0], by[-1]):
            if key == "product":
                labels.append(product)
            elif key == "category":
                labels.append(categories.get(sku, ""))
            else:
                value = found[key]
                labels.append(names.get(value, value) if ORDER_GROUP_KEYS[key].source == "party" else value)
        cell = tables.setdefault(currency, {}).setdefault(labels[0], {})
        sums = cell.get(labels[1]) or cell.setdefault(labels[1], _empty(measures))
        net_amount, tax_amount = Decimal(net), Decimal(tax)
        sums["ids"].add(order)
        sums["quantity"] += Decimal(quantity)
        sums["net"] += net_amount
        sums["discount"] += Decimal(listed) - net_amount
        sums["tax"] += tax_amount
        sums["gross"] += net_amount + tax_amount
    return tables


def _grouped(cells: dict[str, dict[str, dict]], by: list[str], measures: tuple, code: str) -> tuple[Table, dict]:
    """Rows per group (and per subgroup, with subtotals) from running sums."""
    first = by[0]
    second = by[1] if len(by) > 1 else first
    keys = [first, second] if first != second else [first]
    kept = [key for key in keys if key in ("quarter", "type")]  # shown otherwise than kept (`_shown`)
    order: dict[str, tuple] = {}  # the sort key of each label, made once (a month recurs in every group)

    def ordered(labels):
        for label in labels:
            if label not in order:
                order[label] = _order(label)
        return sorted(labels, key=order.__getitem__)

    sums, outers, inners = [], [], []  # per row of the table, top to bottom; inner None: a subtotal or the total
    strong = []  # the positions of the subtotals and the total
    subtotals = []
    subtotal = _("{group} subtotal")
    for outer in ordered(cells):
        for inner in ordered(cells[outer]):
            sums.append(cells[outer][inner])
            outers.append(outer)
            inners.append(inner)
        if first != second:
            subtotals.append(_add(_empty(measures), cells[outer].values(), measures))
            sums.append(subtotals[-1])
            strong.append(len(outers))
            outers.append(subtotal.format(group=_shown(first, outer)))
            inners.append(None)
    sums.append(_add(_empty(measures), subtotals if first != second else sums, measures))
    strong.append(len(outers))
    outers.append(_("total"))
    inners.append(None)
    finished = _finished(sums, measures, code)
    # every row made at once, a dict per row from the columns; then a subtotal's or the total's
    # label is in the first column alone, and it is bold
    labels, names = ((outers, inners) if first != second else (outers,)), (*keys, *finished)
    rows = [dict(zip(names, values, strict=True)) for values in zip(*labels, *finished.values(), strict=True)]
    for position in strong:
        row = rows[position]
        if first != second:
            del row[second]
        row["_style"] = "bold"
    data = [row for row in rows if "_style" not in row]
    if kept:
        rows = [row if "_style" in row else {**row, **{key: _shown(key, row[key]) for key in kept}} for row in rows]
    columns = ([Column(first, first)] + ([Column(second, second, priority=KEEP)] if second != first else [])
               + _measure_columns(measures))
    return Table(columns, rows), {"rows": data, "total": {name: column[-1] for name, column in finished.items()}}


def _register(facts: list[Fact], measures: tuple, code: str) -> tuple[Table, dict]:
    rows = []
    for fact in facts:
        order, line = fact.order, fact.line
        row = {"date": order["date"], "id": order["id"], "party": fact.keys["party"], "owner": order.get("owner"),
               "region": order.get("region"), "status": order.get("status"),
               "product": line_items([line] if line else order["lines"], quantities=False)}
        row.update(_finish(_add(_empty(measures), (fact,), measures), measures, code))
        rows.append(row)
    total = _finish(_add(_empty(measures), facts, measures), measures, code)
    columns = [Column("date", "date", style="date"), Column("id", "id", style="id"),
               Column("party", "party", priority=KEEP), Column("owner", "owner", priority=LOW),
               Column("region", "region", priority=LOW), Column("product", "product")]
    columns += _measure_columns(tuple(m for m in measures if m != "orders"))
    columns += [Column("status", "status", translate=True)]
    data = {"rows": [dict(row) for row in rows], "total": total}
    rows.append({"date": _("total"), **total, "_style": "bold"})
    return Table(columns, rows), data

