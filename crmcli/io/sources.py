"""Reading the rows of a CSV or XLSX file as text cells, streamed, with row numbers.

CSV encodings are told apart by charset-normalizer limited to the candidates that
occur here (GB18030, cp1252, Latin-1) once a file is not valid UTF-8: trying decoders in
order cannot work, since Latin-1 German (`Müller`) is also valid GB18030, and
unrestricted detection picks cp852 or Big5 for short files. The delimiter comes from
csv.Sniffer; whether the first row is a header is decided here (Sniffer's guess was
wrong on a third of our samples): it is, unless a cell of it looks like data.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from crmcli.errors import InvalidValue
from crmcli.i18n import _

SAMPLE = 1 << 20
CANDIDATES = ["gb18030", "cp1252", "latin_1"]
DELIMITERS = ",;\t|"
LOOKS_LIKE_DATA = re.compile(r"^[-+]?[\d.,]+$|^\d{4}-\d{2}-\d{2}|@|^\+?[\d()][\d ()./-]{5,}$|^https?://")


@dataclass
class Sheet:
    """The rows of one file or worksheet: the first row, the rest as they are read, and
    whether the first row is the header (a guess the mapping may correct, see `settle`)."""

    name: str
    first: list[str]
    rest: Generator[tuple[int, list[str]], None, None]
    size: int
    """How much there is to read, in the unit `done` counts (bytes or rows)."""
    done: Callable[[], int]
    header: bool
    forced: bool = False
    encoding: str | None = None

    @property
    def columns(self) -> list[str]:
        if self.header:
            return [cell.strip() for cell in self.first]
        return [letters(i) for i in range(len(self.first))]

    def settle(self, wanted: set[str]) -> None:
        """Unless --header or --no-header said so, let the columns a mapping names decide:
        names found only in the first row make it the header, spreadsheet letters (A, B…)
        make it data."""
        if self.forced or not wanted:
            return
        named = {cell.strip() for cell in self.first}
        lettered = {letters(i) for i in range(len(self.first))}
        if wanted <= named:
            self.header = True
        elif wanted <= lettered:
            self.header = False

    def rows(self) -> Generator[tuple[int, dict[str, str] | InvalidValue], None, None]:
        """(row number, cells by column) of each data row; a row that cannot be taken apart
        comes as the reason instead, for the import to reject and go on."""
        columns = self.columns
        if not self.header:
            yield 1, _row(columns, self.first)
        for number, cells in self.rest:
            if any(cell.strip() for cell in cells):
                yield number, _row(columns, cells)


def letters(position: int) -> str:
    """Spreadsheet column names: A … Z, AA …, for files without a header row."""
    name = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        name = chr(65 + rest) + name
    return name


def is_header(cells: list[str]) -> bool:
    texts = [cell.strip() for cell in cells]
    return all(texts) and len(set(texts)) == len(texts) and not any(LOOKS_LIKE_DATA.search(t) for t in texts)


def _refuse_other_formats(name: str, sample: bytes, wanted: str) -> None:
    head = sample.lstrip(codecs.BOM_UTF8).lstrip()
    if wanted == "CSV" and sample.startswith(b"PK\x03\x04"):
        raise InvalidValue(_("this is an XLSX (or other zip) file, not CSV: use crm import xlsx"), where=name)
    if head[:11].upper() == b"BEGIN:VCARD":
        raise InvalidValue(_("this is a vCard file, not {format}: use crm import vcard").format(format=wanted),
                           where=name)
    if wanted == "CSV" and b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidValue(_("not a {format} file (it holds binary data)").format(format=wanted), where=name)


def detect_encoding(sample: bytes) -> str:
    """The encoding of a CSV file from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3 and len(sample) == SAMPLE:
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=CANDIDATES).best()
    if best is None:
        raise InvalidValue(_("cannot tell the file's encoding: give --encoding (utf-8, gb18030, latin-1…)"))
    return best.encoding


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InvalidValue(_("--encoding {name!r}: no such encoding (utf-8, utf-8-sig, gb18030, gbk, latin-1, cp1252…)")
                           .format(name=name)) from None


def _dialect(text: str, delimiter: str | None):
    if delimiter:
        if len(delimiter.replace("\\t", "\t")) != 1:
            raise InvalidValue(_("--delimiter {delimiter!r}: give one character (or \\t for tab)")
                               .format(delimiter=delimiter))

        class Given(csv.excel):
            pass

        Given.delimiter = delimiter.replace("\\t", "\t")
        return Given
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS)
    except csv.Error:
        first = text.split("\n", 1)[0]
        if not any(d in first for d in DELIMITERS):
            return csv.excel
        raise InvalidValue(_("cannot tell the delimiter: give --delimiter (, ; \\t or |)")) from None


def open_csv(path: Path, *, encoding: str | None = None, delimiter: str | None = None,
             header: bool | None = None) -> Sheet:
    """The rows of a CSV file, read as they are needed (a 200 MB file never sits in memory)."""
    name = path.name
    binary = _open(path)
    sample = binary.read(SAMPLE)
    binary.seek(0)
    try:
        _refuse_other_formats(name, sample, "CSV")
        chosen = _codec(encoding) if encoding else detect_encoding(sample)
    except InvalidValue as error:
        binary.close()
        raise InvalidValue(error.message, where=error.where or name) from error
    if chosen == "utf-8" and sample.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    text = io.TextIOWrapper(binary, encoding=chosen, newline="")
    try:
        dialect = _dialect(text.read(1 << 16), delimiter)
        text.seek(0)
        reader = csv.reader(text, dialect)
        first = next(reader, None)
    except UnicodeDecodeError as error:
        problem = _undecodable(path, chosen, error, binary.tell())
        text.close()
        raise problem from error
    except InvalidValue as error:
        text.close()
        raise InvalidValue(error.message, where=name) from error
    if first is None:
        text.close()
        raise InvalidValue(_("the file is empty"), where=name)

    def rest() -> Generator[tuple[int, list[str]], None, None]:
        number = 1
        with text:
            while True:
                try:
                    cells = next(reader, None)
                except UnicodeDecodeError as error:
                    raise _undecodable(path, chosen, error, binary.tell()) from error
                except csv.Error as error:
                    where = _("{file}: row {number}").format(file=name, number=number + 1)
                    raise InvalidValue(str(error), where=where) from error
                if cells is None:
                    return
                number += 1
                yield number, cells

    size = path.stat().st_size
    return Sheet(name, first, rest(), size, lambda: size if binary.closed else binary.tell(),
                 is_header(first) if header is None else header, header is not None, chosen)


def _row(columns: list[str], cells: list[str]) -> dict[str, str] | InvalidValue:
    """The cells by column name, or why the row cannot be taken apart (the import rejects
    that row and goes on)."""
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
        return InvalidValue(_("{cells} cells, the header has {columns} (a value holding the delimiter needs quotes)")
                            .format(cells=len(cells), columns=len(columns)))
    return dict(zip(columns, cells, strict=False))  # a short row leaves the last columns out


def _undecodable(path: Path, chosen: str, error: UnicodeDecodeError, read_to: int) -> InvalidValue:
    """One line for bytes the encoding cannot read: the line they are on, and a better guess."""
    offset = max(0, read_to - len(error.object) + error.start)
    with open(path, "rb") as handle:
        line = handle.read(offset).count(b"\n") + 1
        handle.seek(max(0, offset - SAMPLE // 2))
        around = handle.read(SAMPLE)
    try:
        guess = detect_encoding(around)
    except InvalidValue:
        guess = None
    where = _("{file}: row {number}").format(file=path.name, number=line)
    if guess and codecs.lookup(guess).name != chosen:
        return InvalidValue(_("cannot be read as {encoding}; it looks like {guess} (try --encoding {guess})")
                            .format(encoding=chosen, guess=guess), where=where)
    return InvalidValue(_("cannot be read as {encoding}").format(encoding=chosen), where=where)


def _open(path: Path):
    try:
        return open(path, "rb")
    except OSError as error:
        raise InvalidValue(_("cannot read: {reason}").format(reason=error.strerror), where=str(path)) from error


def _text(value) -> str:
    """An XLSX cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


TITLE_ROWS = 20
"""How far down a sheet the header row is looked for under title rows."""


def _filled(values) -> int:
    return sum(1 for value in values if value is not None and str(value).strip())


def _title_rows(top: list[tuple]) -> int:
    """How many rows at the top are titles above the header: rows with at most one filled
    cell (a merged title keeps its text in its first cell) before the first row with two or
    more, when there is one; a one-column sheet has none."""
    for position, values in enumerate(top):
        if _filled(values) >= 2:
            return position
    return 0


def open_xlsx(path: Path, *, sheet: str | None = None, header: bool | None = None,
              header_row: int | None = None) -> Sheet:
    """The rows of one worksheet, read in openpyxl's read-only (streaming) mode, from its
    header row: `header_row` (counted from 1), else the first row under any title rows."""
    from itertools import chain, islice
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    with _open(path) as probe:
        _refuse_other_formats(name, probe.read(4096), "XLSX")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError):
        raise InvalidValue(_("not an XLSX file (for CSV use crm import csv)"), where=name) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InvalidValue(_("no sheet {sheet!r} (it has: {sheets})").format(sheet=sheet,
                                                                           sheets=", ".join(book.sheetnames)),
                           where=name)
    worksheet = book[sheet] if sheet else book.worksheets[0]
    reading = worksheet.iter_rows(values_only=True)
    top = list(islice(reading, max(TITLE_ROWS, header_row or 0)))
    skipped = header_row - 1 if header_row else 0 if header is False else _title_rows(top)
    if top and skipped >= len(top):
        raise InvalidValue(_("--header-row {row}: the sheet {sheet!r} has {count} rows").format(
            row=header_row, sheet=worksheet.title, count=len(top)), where=name)
    cells = chain(top[skipped + 1:], reading)
    if not top:
        raise InvalidValue(_("the sheet {sheet!r} is empty").format(sheet=worksheet.title), where=name)
    first = [_text(value) for value in top[skipped]]
    while first and not first[-1]:
        first.pop()
    count = [skipped + 1]
    if header_row:
        header = True

    def rest() -> Generator[tuple[int, list[str]], None, None]:
        try:
            for values in cells:
                count[0] += 1
                yield count[0], [_text(value) for value in values]
        finally:
            book.close()

    return Sheet(name, first, rest(), worksheet.max_row or 0, lambda: count[0],
                 is_header(first) if header is None else header, header is not None)
