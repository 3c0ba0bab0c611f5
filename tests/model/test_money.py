"""Money and order arithmetic: Decimal throughout, rounded once, half up."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmcli.errors import InvalidValue
from crmcli.model.money import currency, parse_amount, parse_decimal, parse_rate, rounded
from crmcli.model.orders import parse_line, payment_due, totals


def test_the_guide_example():
    lines = [{"quantity": 40, "unit_price": Decimal("1250.00"), "discount": Decimal("0.03"),
              "tax_rate": Decimal("0.13")}]
    assert totals(lines, "CNY") == {"net": Decimal("48500.00"), "discount": Decimal("1500.00"),
                                    "tax": Decimal("6305.00"), "gross": Decimal("54805.00")}


def test_rounding_is_once_and_half_up():
    # three lines of 0.005 each: rounding per line would give 0.03 (or 0.00 half-even); once gives 0.02
    lines = [{"quantity": 1, "unit_price": Decimal("0.005")}] * 3
    assert totals(lines, "CNY")["net"] == Decimal("0.02")
    assert rounded(Decimal("2.345"), "EUR") == Decimal("2.35")
    assert rounded(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert rounded(Decimal("1.2345"), "KWD") == Decimal("1.235")


def test_many_lines_where_floats_would_drift():
    lines = [{"quantity": 1, "unit_price": Decimal("0.10"), "tax_rate": Decimal("0.13")}] * 1000
    result = totals(lines, "USD")
    assert result["net"] == Decimal("100.00") and result["tax"] == Decimal("13.00")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 500), st.decimals("0.01", "99999.99", places=2),
                          st.sampled_from(["0", "0.05", "0.125", "0.5"]), st.sampled_from(["0", "0.06", "0.13"])),
                min_size=1, max_size=30))
def test_totals_equal_the_exact_sums_rounded(rows):
    lines = [{"quantity": q, "unit_price": p, "discount": Decimal(d), "tax_rate": Decimal(t)} for q, p, d, t in rows]
    exact_net = sum(Decimal(q) * p * (1 - Decimal(d)) for q, p, d, t in rows)
    exact_tax = sum(Decimal(q) * p * (1 - Decimal(d)) * Decimal(t) for q, p, d, t in rows)
    result = totals(lines, "CNY")
    assert result["net"] == rounded(exact_net, "CNY")
    assert result["tax"] == rounded(exact_tax, "CNY")
    assert result["gross"] == result["net"] + result["tax"]
    assert all(value.as_tuple().exponent == -2 for value in result.values())


@pytest.mark.parametrize("text, line", [
    ("CAB-07 40 @ 1250.00 -3%",
     {"item": "CAB-07", "quantity": 40, "unit_price": Decimal("1250.00"), "discount": Decimal("0.03")}),
    ("CAB-07 3", {"item": "CAB-07", "quantity": 3}),
    ("CAB-07 2.5 m @ 1,250.50",
     {"item": "CAB-07", "quantity": Decimal("2.5"), "unit": "m", "unit_price": Decimal("1250.50")}),
    ("Consulting day 2 @ 800 tax 6%",
     {"item": "Consulting day", "quantity": 2, "unit_price": Decimal("800"), "tax_rate": Decimal("0.06")}),
])
def test_typed_lines(text, line):
    assert parse_line(text) == line


@pytest.mark.parametrize("text, message", [
    ("CAB-07 -3", "more than zero"),
    ("CAB-07 0 @ 5", "more than zero"),
    ("CAB-07 3 @ 12,50", "not a number"),
    ("CAB-07 3 @ abc", "not a number"),
    ("CAB-07 3 @ 5 -150%", "between 0% and 100%"),
    ("CAB-07", "cannot read line"),
])
def test_bad_lines(text, message):
    with pytest.raises(InvalidValue) as error:
        parse_line(text)
    assert message in str(error.value)


def test_amounts_and_currencies():
    assert currency("cny") == "CNY"
    with pytest.raises(InvalidValue):
        currency("RMB")
    assert parse_amount("10", "CNY") == Decimal("10.00")
    with pytest.raises(InvalidValue):
        parse_amount("10.001", "CNY")
    with pytest.raises(InvalidValue):
        parse_decimal("twelve")
    assert parse_rate("13%", "tax") == Decimal("0.13") and parse_rate("0.13", "tax") == Decimal("0.13")


@pytest.mark.parametrize("terms, due", [
    ("net 30", date(2026, 12, 21)),
    ("Net 60", date(2027, 1, 20)),
    ("30 days", date(2026, 12, 21)),
    ("30 days end of month", date(2026, 12, 31)),
    ("15 days EOM", date(2026, 12, 31)),
    ("end of month", date(2026, 11, 30)),
    ("prepaid", date(2026, 11, 21)),
    ("whenever", None),
    (None, None),
])
def test_payment_terms(terms, due):
    assert payment_due(terms, date(2026, 11, 21)) == due
