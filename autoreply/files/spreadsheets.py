"""Two-column spreadsheets (question,answer or key,value) as operators save them from
Excel: CSV delimited by a comma, a tab or a semicolon, or an Excel workbook (.xlsx).

Decoding of CSV is strict: UTF-8 (with or without BOM), else GB18030 (what Excel writes on a
Chinese Windows); anything else is refused rather than guessed. Rows are numbered as a
spreadsheet numbers them (one per record, header and blank rows included), so an error's
"row 7" is row 7 in Excel however many line breaks the quoted cells hold.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TextIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autoreply.errors import ImportRefused
from autoreply.files import sources, workbooks
from autoreply.files.sources import Source
from autoreply.text import normalize

HEADERS = {("question", "answer"), ("key", "value"), ("问题", "答案"), ("键", "值")}
PROGRESS_ABOVE = 1_000  # rows; smaller files finish before a bar would be worth drawing
# What no text file holds: C0 controls other than tab, LF, CR (a NUL-padded UTF-16 file,
# a zip-based .xlsx or an image decodes as "text" full of them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# The columns as errors name them, in the operator's language.
COLUMN_WORDS = {
    "question": gettext_lazy("question"),
    "answer": gettext_lazy("answer"),
    "key": gettext_lazy("key"),
    "value": gettext_lazy("value"),
}
COLUMN_PLURALS = {"question": gettext_lazy("questions"), "key": gettext_lazy("keys")}
# The delimiters a CSV file may use, each as errors name it; in the order ties are broken.
DELIMITERS = {
    "\t": gettext_lazy("tab"),
    ",": gettext_lazy("comma"),
    ";": gettext_lazy("semicolon"),
}
SNIFF_RECORDS = 1_000  # enough to tell; a whole 100,000-row file need not be read thrice


class CsvFileError(ImportRefused):
    """The file cannot be read as the two-column spreadsheet expected; the message says
    where."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    """The spreadsheet row (1-based, header and blank rows counted)."""
    first: str
    second: str


def read_rows(source: Source, columns: tuple[str, str]) -> list[Row]:
    """Every data row of a two-column CSV file or Excel workbook (.xlsx); `columns` names
    the cells in errors."""
    upload = sources.read(source)
    if workbooks.is_workbook(upload.data):
        return data_rows(workbooks.records(upload.data, upload.name), upload.name, columns)
    return parse(decode(upload.data, upload.name), upload.name, columns)


def decode(data: bytes, name: str) -> str:
    """The file's text: UTF-8 (BOM optional), else GB18030; refuses what is neither."""
    if data.startswith(_UTF16_BOMS):
        message = _(
            "%(file)s is UTF-16 text (Excel's “Unicode Text”); save it as “CSV UTF-8” instead"
        )
        raise CsvFileError(message % {"file": name})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        control = _CONTROL.search(text)
        if control is None:
            return text
        line = text.count("\n", 0, control.start()) + 1
        message = _(
            "%(file)s is not a text file (a control character on line %(line)d); "
            "save the spreadsheet as CSV"
        )
        raise CsvFileError(message % {"file": name, "line": line})
    message = _("%(file)s is neither UTF-8 nor GB18030 text; save it as “CSV UTF-8”")
    raise CsvFileError(message % {"file": name})


def parse(text: str, name: str, columns: tuple[str, str]) -> list[Row]:
    """The data rows of CSV `text`, delimited by a comma, a tab or a semicolon."""
    separator = delimiter(text)
    records = enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=separator), start=1)
    return data_rows(records, name, columns, separator)


def delimiter(text: str) -> str:
    """The delimiter under which most of the first records have the two cells expected.

    csv.Sniffer guesses from how evenly characters recur, which a column of prose defeats;
    the two-column shape is known here, so it decides. Ties go to the tab, then the comma:
    a tab inside a cell is rarer than a comma or a semicolon inside one.
    """

    def pairs(separator: str) -> int:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
        return sum(len(_trimmed(cells)) == 2 for cells in islice(records, SNIFF_RECORDS))

    return max(DELIMITERS, key=pairs)


def data_rows(
    records: Iterable[tuple[int, list[str]]],
    name: str,
    columns: tuple[str, str],
    separator: str | None = None,
) -> list[Row]:
    """The data rows of (row number, cells) records: blank rows and a recognised header
    row skipped, every other row checked to hold exactly the two cells."""
    found: list[Row] = []
    seen_content = False
    for number, cells in records:
        cells = _trimmed(cells)
        if not cells:
            continue
        if not seen_content and tuple(cell.casefold() for cell in cells) in HEADERS:
            seen_content = True
            continue
        seen_content = True
        found.append(_row(cells, number, name, columns, separator))
    return found


def _trimmed(cells: list[str]) -> list[str]:
    # Cells keep their line breaks as LF, whatever the file's line ends are.
    cells = [cell.replace("\r\n", "\n").strip() for cell in cells]
    while cells and not cells[-1]:  # spreadsheets pad rows with empty cells
        cells.pop()
    return cells


def _row(
    cells: list[str], number: int, name: str, columns: tuple[str, str], separator: str | None
) -> Row:
    where = row_name(name, number)
    first, second = (COLUMN_WORDS.get(column, column) for column in columns)
    if len(cells) > 2:
        counts = {"where": where, "first": first, "second": second, "count": len(cells)}
        if separator is None:
            message = _(
                "%(where)s: expected 2 cells (%(first)s,%(second)s), found %(count)d; "
                "keep to columns A and B"
            )
            raise CsvFileError(message % counts)
        message = _(
            "%(where)s: expected 2 cells (%(first)s,%(second)s), found %(count)d; "
            "put a cell that holds a %(separator)s in double quotes"
        )
        raise CsvFileError(message % {**counts, "separator": DELIMITERS[separator]})
    cells += [""] * (2 - len(cells))
    for cell, column in zip(cells, (first, second), strict=True):
        if not cell:
            raise CsvFileError(
                _("%(where)s: the %(column)s is empty") % {"where": where, "column": column}
            )
    return Row(number, cells[0], cells[1])


def row_name(name: str, number: int) -> str:
    """Where a row is, as an error names it: the file and the spreadsheet's row number."""
    return _("%(file)s, row %(row)d") % {"file": name, "row": number}


def refuse_duplicates(rows: Iterable[Row], name: str, column: str) -> None:
    """Refuse two rows whose first cells compare equal (as exact keywords and lookup keys
    do), naming both rows: the second could never be reached."""
    seen: dict[str, Row] = {}
    for row in rows:
        key = normalize(row.first)
        earlier = seen.setdefault(key, row)
        if earlier is not row:
            message = _(
                "%(file)s, rows %(earlier)d and %(row)d: the %(columns)s %(first)r and "
                "%(second)r are the same (compared ignoring case and full-width/half-width forms)"
            )
            names = {"file": name, "earlier": earlier.number, "row": row.number}
            names |= {"columns": COLUMN_PLURALS.get(column, column)}
            raise CsvFileError(message % {**names, "first": earlier.first, "second": row.first})


def progress(rows: list[Row], stream: TextIO | None, description: str) -> Iterator[Row]:
    """`rows`, drawing a progress bar on `stream` for large files when it is a terminal."""
    show = stream is not None and stream.isatty() and len(rows) > PROGRESS_ABOVE
    if not show:
        return iter(rows)
    from tqdm import tqdm  # only a command in a terminal draws one: not in every web worker

    return iter(tqdm(rows, desc=description, unit=" rows", file=stream, leave=False))
