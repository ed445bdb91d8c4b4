"""A key,value spreadsheet (CSV or .xlsx) into one of an account's lookup tables, all or nothing.

Reading and checking are `spreadsheets`' (two keys that compare equal are refused,
naming both rows); writing only the difference is `lookups.tables.store`'s.
"""

from typing import TextIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from autoreply.errors import ImportRefused
from autoreply.files import sources, spreadsheets
from autoreply.files.sources import Source
from autoreply.lookups import tables
from autoreply.models import Account

COLUMNS = ("key", "value")


class LookupFileError(ImportRefused):
    """The table or its entries are refused; nothing was written."""


def import_lookup(
    account: Account,
    table: str,
    source: Source,
    replace: bool = False,
    progress: TextIO | None = None,
) -> tables.Counts:
    """Add the spreadsheet's (CSV or .xlsx) new keys to the account's table `table`, update
    changed ones and, with `replace`, remove the keys the file lacks. Raises ImportRefused
    (a spreadsheet's, or LookupFileError), writing nothing."""
    upload = sources.read(source)
    path = upload.name
    rows = spreadsheets.read_rows(upload, COLUMNS)
    spreadsheets.refuse_duplicates(rows, path, "key")
    shown = spreadsheets.progress(rows, progress, "reading")
    try:
        entries = tables.normalized_entries(((r.first, r.second) for r in shown), path)
        return tables.store(account, table, entries, replace)
    except ValidationError as exc:
        detail = " ".join(exc.messages)
        if "name" in getattr(exc, "error_dict", {}):  # the table's own name is refused
            detail = _("table name %(name)r: %(detail)s") % {"name": table, "detail": detail}
        raise LookupFileError([detail]) from None
