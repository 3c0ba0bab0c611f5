"""Money: Decimal amounts, ISO 4217 currencies and their minor units, rounding once.

Amounts never pass through float. Totals round half up to the currency's minor
units, once, at the end: an order's net is the exact sum of its lines' exact nets,
rounded; its tax is the exact sum of each line's net times its rate, rounded.
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from itertools import repeat

from crmcli.errors import InvalidValue
from crmcli.i18n import N_, _, money_text

# Active ISO 4217 codes and their minor units (exponent), from the ISO list.
_THREE = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
_ZERO = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
         "XAF", "XOF", "XPF"}
_FOUR = {"CLF", "UYW"}
_TWO = set("""AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN
BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK
MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS
VED VES WST XCD XCG YER ZAR ZMW ZWG""".split())
MINOR_UNITS = {**{c: 2 for c in _TWO}, **{c: 0 for c in _ZERO}, **{c: 3 for c in _THREE}, **{c: 4 for c in _FOUR}}
LARGEST = Decimal(10) ** 15
"""No typed amount, price or quantity reaches 10^15, as the record schemas say."""
WIDE = Context(prec=80)
"""Rounding context roomy enough for any product of two bounded numbers (10^30 × 10^30 to four
places): the default 28 digits make quantize() fail on a line of 10^12 units at 10^15."""
THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def currency(code: str) -> str:
    """A known ISO 4217 code, upper-cased; anything else is refused."""
    normal = str(code).strip().upper()
    if normal not in MINOR_UNITS:
        raise InvalidValue(_("unknown currency code {code!r} (use ISO 4217: CNY, EUR, USD…)").format(code=code))
    return normal


@functools.cache
def quantum(code: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS[currency(code)])


def rounded(amount: Decimal, code: str) -> Decimal:
    """`amount` rounded half up to the currency's minor units (a whole number written by hand,
    `amount: 1000`, is read as an int and rounds as well)."""
    return Decimal(amount).quantize(quantum(code), rounding=ROUND_HALF_UP, context=WIDE)


def padded(amount: Decimal, code: str | None) -> Decimal:
    """`amount` with at least its currency's minor units, for showing: a price typed as `1250.0`
    reads `1250.00` in CNY (and `1250` in JPY). Digits beyond those (a unit price of 0.125) are
    kept, never rounded away. An unknown or missing currency leaves the amount as it is."""
    places = MINOR_UNITS.get(code or "")
    exponent = Decimal(amount).as_tuple().exponent
    if places is None or not isinstance(exponent, int) or exponent <= -places:
        return Decimal(amount)
    return Decimal(amount).quantize(Decimal(1).scaleb(-places), context=WIDE)


def amount_text(amount: Decimal, code: str | None) -> str:
    """`f"{padded(amount, code):,f}"`, written without rounding arithmetic, for the thousands of
    amounts of a large table: the digits `,f` writes, with zeros added up to the currency's
    minor units (what quantize() adds to an amount with fewer places)."""
    text = format(amount if type(amount) is Decimal else Decimal(amount), ",f")
    places = MINOR_UNITS.get(code or "")
    if not places or not text[-1].isdigit():  # no minor units, or NaN/Infinity
        return text
    dot = text.find(".")
    missing = places - (len(text) - dot - 1 if dot >= 0 else 0)
    return text if missing <= 0 else text + ("" if dot >= 0 else ".") + "0" * missing


def amount_texts(amounts: list[Decimal], codes: list[str | None]) -> list[str]:
    """`amount_text` of each amount in the currency beside it, a column at a time: when the
    column has one currency (or none named) and every amount written has its minor units
    already (a rounded total), which one search of the whole column tells, nothing is added."""
    texts = list(map(format, amounts, repeat(",f")))
    if len(set(codes)) == 1:
        places = MINOR_UNITS.get(codes[0] or "")
        if not places or not re.search(rf"(?m)^(?!.*\.\d{{{places}}})", "\n".join(texts)):
            return texts
    return list(map(amount_text, amounts, codes))


def parse_decimal(text, what: str = N_("amount")) -> Decimal:
    """A Decimal from typed text (`1250`, `1250.00`, `1,250.00`); never via float. `what` names
    the value in a message (marked with `N_`)."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        raw = str(text).strip().replace("_", "")
        if "," in raw:
            if not THOUSANDS.match(raw):
                raise InvalidValue(_("{what} {text!r} is not a number (write 1250.50 or 1,250.50)").format(
                    what=_(what), text=text))
            raw = raw.replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise InvalidValue(_("{what} {text!r} is not a number").format(what=_(what), text=text)) from None
    if not value.is_finite():
        raise InvalidValue(_("{what} {text!r} is not a number").format(what=_(what), text=text))
    if value.copy_abs() >= LARGEST:  # copy_abs is exact: abs() would overflow the context on 1e999999999
        raise InvalidValue(_("{what} {text!r} is too large (below 10^15)").format(what=_(what), text=text))
    return value


def parse_amount(text, code: str) -> Decimal:
    """A money amount in `code`, refusing more decimals than the currency has."""
    value = parse_decimal(text)
    if value != rounded(value, code):
        raise InvalidValue(_("{text} has more decimals than {currency} allows").format(text=text,
                                                                                      currency=currency(code)))
    return rounded(value, code)


def parse_positive(text, code: str, what: str) -> Decimal:
    """An amount in `code` that must be above zero (a payment, a target; `what` names it,
    marked with `N_`): a negative or zero one is refused in one line that says so."""
    value = parse_amount(text, code)
    if value <= 0:
        raise InvalidValue(_("{what} must be more than zero, not {text}").format(what=_(what), text=str(text).strip()))
    return value


def parse_rate(text, what: str) -> Decimal:
    """A fraction from `5%`, `0.05` or `5`: a bare number of 1 or more is a percentage
    (`1` is 1%, `13` is 13%), one below 1 a fraction. The result lies in 0…1."""
    raw = str(text).strip()
    percent = raw.endswith("%")
    value = parse_decimal(raw.rstrip("%").strip(), what)
    if percent or value >= 1:
        value = value / 100
    if value < 0 or value > 1:
        raise InvalidValue(_("{what} {text!r} must be between 0% and 100%").format(what=_(what), text=text))
    return value.normalize() if value else Decimal("0")


def format_money(amount: Decimal, code: str | None = None) -> str:
    """`54,805.00 CNY` (in Chinese `¥54,805.00`): thousands separators, the currency's minor units."""
    if code and code in MINOR_UNITS:
        amount = rounded(amount, code)
    return money_text(amount, code)


def converter(target: str, base: str, rates: dict):
    """A function turning an amount in some currency into `target`, through `base`, with
    `rates` (what one unit of each currency is worth in `base`); a missing rate is an error."""

    def rate(code: str) -> Decimal:
        if code == base:
            return Decimal(1)
        if code not in rates:
            raise InvalidValue(_("no exchange rate for {code} in crm.yaml (rates: {{{code}: …}}, in {base})").format(
                code=code, base=base))
        return Decimal(str(rates[code]))

    to_rate = rate(target)

    def convert(amount, code: str) -> Decimal:
        return Decimal(amount) if code == target else Decimal(amount) * rate(code) / to_rate

    return convert
