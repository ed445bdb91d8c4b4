"""Excel workbooks (.xlsx) as rows of text cells, numbered as Excel numbers them.

Only the first worksheet is read, with the values Excel last calculated (a formula's
result, not the formula). Numbers and dates become the text Excel would show for them
in a plain cell, so a key typed as 18546 matches a follower typing 18546.
"""

import datetime as dt
import io
import zipfile
from typing import Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from autoreply.errors import ImportRefused

ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, or an encrypted .xlsx
# What openpyxl raises on an archive that is not a workbook, or a damaged one (and its
# InvalidFileException, added where it is imported).
UNREADABLE = (
    zipfile.BadZipFile,
    KeyError,
    IndexError,
    ParseError,
    OSError,
    ValueError,
)


class WorkbookError(ImportRefused):
    """The workbook cannot be read; the message says what to save it as instead."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def is_workbook(data: bytes) -> bool:
    """Whether the bytes are an Excel file rather than text (CSV)."""
    return data.startswith((ZIP_MAGIC, OLE_MAGIC))


def records(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    """(row number, cells as text) for every row of the first worksheet, blank rows too."""
    if data.startswith(OLE_MAGIC):
        message = _(
            "%(file)s is an Excel 97-2003 (.xls) or password-protected workbook; "
            "save it as an Excel workbook (.xlsx) without a password, or as “CSV UTF-8”"
        )
        raise WorkbookError(message % {"file": name})
    # Imported here: openpyxl costs every web worker 20 MB, and only an upload needs it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:  # read-only worksheets parse lazily: damage can show while reading rows
            rows = workbook.worksheets[0].iter_rows(min_row=1, values_only=True)
            return [(n, [cell_text(v) for v in values]) for n, values in enumerate(rows, 1)]
        finally:
            workbook.close()
    except (*UNREADABLE, InvalidFileException):
        message = _("%(file)s is not a readable Excel workbook (.xlsx); save it again from Excel")
        raise WorkbookError(message % {"file": name}) from None


def cell_text(value: Any) -> str:
    """A cell's value as the text it shows: 3.0 as 3, a date at midnight without a time."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)
