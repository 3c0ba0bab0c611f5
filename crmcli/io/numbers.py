"""Numbers as spreadsheets write them in CSV: `1.250,50` and `12,90` where the comma is the
decimal separator (German, French, some Chinese sheets), `1,250.50` where it groups thousands.

Which one a file uses comes from `--locale` (read by Babel, as that locale writes numbers),
else from the column: a value such as `12,90`, `1.250,50` or `1,250,000` shows the decimal
separator, and the other values of that column are read the same way. A value that reads
both ways (`1,250`: 1250, or 1.25) in a column that shows nothing is refused, naming both
readings: a price off by a factor of a thousand is worse than a question. Without a comma,
a dot is the decimal point, as every program writes numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from crmcli.errors import InvalidValue
from crmcli.i18n import _

SNIFF_ROWS = 10_000
"""How many rows of a file show the decimal separator of its columns."""
NUMBER = re.compile(r"^[-+]?\d[\d.,'’\s\u00a0\u202f]*%?$")
SPACES = re.compile(r"[\s\u00a0\u202f]")
SAMPLE_LOCALES = {",": "de_DE", ".": "en_US"}
"""A locale that reads a number of each decimal separator (for columns that showed theirs)."""


def shown_separator(text: str) -> str | None:
    """The decimal separator a number's text shows, or None when it shows none: no
    separator, or one that reads both ways (`1,250`, `1.250`)."""
    if not NUMBER.match(text):
        return None
    digits = text.rstrip("%").strip()
    commas, dots = digits.count(","), digits.count(".")
    if commas and dots:
        return "," if digits.rfind(",") > digits.rfind(".") else "."
    for separator, count, other in ((",", commas, "."), (".", dots, ",")):
        if count > 1:
            return other
        if count == 1 and len(digits) - digits.index(separator) - 1 != 3:
            return separator
    return None


def check_locale(name: str | None) -> str | None:
    """`--locale`: a locale Babel knows (`de_DE`, `zh-CN`), as Babel names it."""
    if name is None:
        return None
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(name.replace("-", "_")))
    except (ValueError, UnknownLocaleError):
        raise InvalidValue(_("--locale {locale!r}: not a locale (de_DE, fr_FR, zh_CN, en_US…)").format(
            locale=name)) from None


@dataclass
class Numbers:
    """How the numbers of one file are read: by `locale`, else by the decimal separator each
    column showed (`separators`)."""

    locale: str | None = None
    separators: dict[str, str] = field(default_factory=dict)

    def sniff(self, rows: Iterable[tuple[int, object]], columns: set[str], name: str) -> None:
        """Learn the decimal separator of `columns` from the first rows; a column that shows
        both is refused, naming a row of each."""
        if self.locale or not columns:
            return
        seen: dict[str, dict[str, tuple[int, str]]] = {}
        for count, (number, cells) in enumerate(rows):
            if count >= SNIFF_ROWS:
                break
            if not isinstance(cells, dict):
                continue
            for column in columns:
                text = (cells.get(column) or "").strip()
                separator = shown_separator(text)
                if separator:
                    seen.setdefault(column, {}).setdefault(separator, (number, text))
        for column, shown in seen.items():
            if len(shown) > 1:
                (comma_row, comma), (point_row, point) = shown[","], shown["."]
                raise InvalidValue(_("column {column!r} has numbers with a decimal comma (row {comma_row}: {comma!r}) "
                                     "and with a decimal point (row {point_row}: {point!r}): give --locale").format(
                    column=column, comma_row=comma_row, comma=comma, point_row=point_row, point=point), where=name)
            self.separators[column] = next(iter(shown))

    def read(self, text: str, column: str | None) -> str:
        """`text` as a plain decimal (`1250.50`), read as the locale or the column writes
        numbers; text that is no number is left for the schema to refuse."""
        if not NUMBER.match(text.strip()):
            return text
        text = text.strip()
        percent = "%" if text.endswith("%") else ""
        digits = text.rstrip("%").strip()
        locale = self.locale
        if locale is None:
            separator = self.separators.get(column or "") or shown_separator(text)
            if "," not in digits and separator != ",":
                return text
            if separator is None:
                as_group = digits.replace(",", "")
                as_decimal = digits.replace(",", ".")
                raise InvalidValue(_("{text!r} reads as {grouped} (comma between thousands) or as {decimal} (decimal "
                                     "comma): give --locale (en_US or de_DE, for instance)").format(
                    text=text, grouped=as_group, decimal=as_decimal))
            locale = SAMPLE_LOCALES[separator]
            digits = SPACES.sub("", digits)  # a space only ever groups digits
        from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal

        group = get_group_symbol(locale)
        if group.isspace():  # people type a plain space where the locale groups with a narrow one
            digits = SPACES.sub(group, digits)
        try:
            value = parse_decimal(digits, locale, strict=True)
        except NumberFormatError:
            raise InvalidValue(_("{text!r} is not a number as {locale} writes them").format(
                text=text, locale=locale)) from None
        return f"{value}{percent}"
