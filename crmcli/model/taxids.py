"""Tax ids checked by the party's country with python-stdnum: a Chinese 统一社会信用代码 (with
the region its digits 3–8 name), an EU VAT number, a US EIN, and any other country's VAT or
tax number where stdnum has a module for it. A country stdnum does not know is not checked:
refusing what we cannot judge would stop people from recording real numbers."""

from __future__ import annotations

from typing import Any, NamedTuple

from crmcli.errors import InvalidValue
from crmcli.i18n import _
from crmcli.model.locked import Locked

EU_VAT_PREFIXES = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
                   "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"}
"""Where a tax id is an EU VAT number: the member states' VAT prefixes (Greece is EL,
Northern Ireland XI); a country of GR is checked with the prefix EL."""


class TaxId(NamedTuple):
    """A tax id that passed its country's rule: the `rule` that judged it and, for a Chinese
    code, the `region` it was registered in (province and city, when stdnum knows them). A
    named tuple, not a frozen dataclass: `crm show` defines it at start-up, at a fifth of the
    cost."""

    number: str
    rule: str
    region: str | None = None


def country_of(party: dict) -> str | None:
    """The party's country: that of its first address that names one."""
    for address in party.get("addresses") or []:
        if isinstance(address, dict) and address.get("country"):
            return str(address["country"]).upper()
    return None


def _rules(value: str, country: str | None) -> list[Any]:
    """The stdnum modules that judge `value` for `country`, in order; a number that passes
    any one of them is valid. Empty when nothing knows the country."""
    # lazy: python-stdnum loads in 40-80 ms (python -X importtime); only tax ids need it
    from stdnum.util import get_cc_module

    prefix = value[:2].upper()
    if prefix in EU_VAT_PREFIXES and (country is None or country in EU_VAT_PREFIXES | {"GR"}):
        # lazy: python-stdnum loads in 40-80 ms (python -X importtime); only tax ids need it
        from stdnum.eu import vat

        return [vat]
    if country is None:
        return []
    if country == "CN":
        # lazy: python-stdnum loads in 40-80 ms (python -X importtime); only tax ids need it
        from stdnum.cn import ric, uscc

        return [uscc, ric]
    if country in EU_VAT_PREFIXES | {"GR"}:
        # lazy: python-stdnum loads in 40-80 ms (python -X importtime); only tax ids need it
        from stdnum.eu import vat

        return [vat]
    if country == "US":
        # lazy: python-stdnum loads in 40-80 ms (python -X importtime); only tax ids need it
        from stdnum.us import ein

        return [ein]
    names = ("vat", "tin", "uscc", "brn")
    return [module for module in (get_cc_module(country.lower(), name) for name in names) if module is not None][:1]


def rule_name(module: Any) -> str:
    """What a stdnum module checks, from the first line of its documentation: `USCC (Unified
    Social Credit Code, 统一社会信用代码, China tax number)`."""
    return (module.__doc__ or module.__name__).strip().splitlines()[0].rstrip(".")


def check_tax_id(value: str, country: str | None) -> TaxId | None:
    """`value` judged by the rule of `country` (an EU VAT number by its own prefix): the
    number as stdnum writes it, or None when no rule applies; an invalid one is InvalidValue
    naming the rule and what is wrong."""
    text = str(value).strip()
    modules = _rules(text, country)
    if not modules:
        return None
    failures: list[tuple[Any, Exception]] = []
    for module in modules:
        number = text
        if module.__name__ == "stdnum.eu.vat" and text[:2].upper() not in EU_VAT_PREFIXES and country:
            number = ("EL" if country == "GR" else country) + text
        try:
            number = module.validate(number)
        except Exception as error:  # stdnum's ValidationError, or its own bugs on odd input
            failures.append((module, error))
            continue
        return TaxId(number, rule_name(module), _region(module, number))
    module, failure = failures[0]
    raise InvalidValue(_("tax id {value!r} is not a valid {rule}: {error}").format(
        value=text, rule=rule_name(module), error=_reason(failure)))


def _reason(error: Exception) -> str:
    """stdnum's message as the end of our line: `the number's checksum … is invalid`."""
    text = str(error).strip().rstrip(".") or type(error).__name__
    return text[:1].lower() + text[1:]


def _region(module: Any, number: str) -> str | None:
    """Where a Chinese code was registered, from stdnum's table of administrative divisions
    (the one `stdnum.cn.ric.get_birth_place` reads): digits 3–8 of a 统一社会信用代码, 1–6 of
    a resident identity number, as province, city and district (`广东省 广州市 番禺区`). Codes
    since renamed carry `[from-to]` spans; the last name is the current one."""
    code = {"stdnum.cn.uscc": number[2:8], "stdnum.cn.ric": number[:6]}.get(module.__name__)
    if not code or not code.isdigit():
        return None
    # lazy: python-stdnum loads in 40-80 ms (python -X importtime); only tax ids need it
    from stdnum import numdb

    names: list[str] = []
    for division in dict.fromkeys((code[:4] + "00", code)):
        for _part, properties in numdb.get("cn/loc").info(division):
            for key in ("province", "county"):
                name = str(properties.get(key) or "").split(",")[-1].split("]")[-1].strip()
                if name and name not in names and name not in UNNAMED_DIVISIONS:
                    names.append(name)
    return " ".join(names) or None


UNNAMED_DIVISIONS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
"""Placeholders in the table where a city has no name of its own (Beijing's districts)."""


def tax_id_problem(party: dict) -> str | None:
    """Why `party`'s tax id is invalid for its country, or None when it is valid, unchecked
    or absent."""
    value = party.get("tax_id")
    if not value or isinstance(value, Locked):  # sealed for others: only they can check it
        return None
    try:
        check_tax_id(str(value), country_of(party))
    except InvalidValue as error:
        return str(error)
    return None
