"""Numbers as spreadsheets write them: what Babel writes for a locale reads back the same."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmcli.io.numbers import Numbers, shown_separator

AMOUNTS = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("locale", ["de_DE", "fr_FR", "zh_CN", "en_US", "de_CH"])
@settings(max_examples=60)
@given(amount=AMOUNTS)
def test_what_a_locale_writes_reads_back(locale, amount):
    from babel.numbers import format_decimal

    written = format_decimal(amount, format="#,##0.00", locale=locale)
    assert Decimal(Numbers(locale).read(written, "price")) == amount


@settings(max_examples=60)
@given(amount=AMOUNTS)
def test_a_decimal_comma_column_reads_its_values(amount):
    """Once a column has shown a decimal comma, every value of it reads that way (spaces or dots grouping)."""
    from babel.numbers import format_decimal

    for locale in ("de_DE", "fr_FR"):
        written = format_decimal(amount, format="#,##0.00", locale=locale)
        assert Decimal(Numbers(separators={"price": ","}).read(written, "price")) == amount


@pytest.mark.parametrize("text, separator", [("12,90", ","), ("1.250,50", ","), ("1,250.50", "."), ("1,250,000", "."),
                                             ("1.250.000", ","), ("3.5", "."), ("1,250", None), ("1.250", None),
                                             ("1250", None), ("ACME", None), ("7,5%", ",")])
def test_what_a_value_shows(text, separator):
    assert shown_separator(text) == separator
