"""`manage.py import_lookup TABLE FILE.csv --account SLUG [--replace]`: key,value rows into
one of the account's lookup tables, all or nothing."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.choices import ChangeSource
from autoreply.errors import ImportRefused
from autoreply.files.lookup_import import import_lookup
from autoreply.history.authorship import changes_by
from autoreply.management.accounts import find_account


class Command(BaseCommand):
    help = (
        "Import a key,value spreadsheet (CSV in UTF-8 or GB18030, or .xlsx) into an "
        "account's lookup table; "
        "all or nothing. --replace also removes the keys the file does not have."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("table", help='the table\'s name, as in {{ key|lookup:"TABLE" }}')
        parser.add_argument("file", help="the spreadsheet (CSV or .xlsx): key,value per row")
        parser.add_argument("--account", required=True, metavar="SLUG")
        parser.add_argument(
            "--replace", action="store_true", help="also remove the keys not in the file"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        account = find_account(options["account"])
        quiet = options["quiet"] or options["verbosity"] == 0
        replace = " --replace" if options["replace"] else ""
        detail = f"import_lookup {options['table']} {options['file']}{replace}"
        try:
            with changes_by(None, ChangeSource.COMMAND, detail):
                counts = import_lookup(
                    account,
                    options["table"],
                    options["file"],
                    options["replace"],
                    None if quiet else sys.stderr,
                )
        except ImportRefused as exc:
            raise CommandError(f"nothing imported: {exc}") from None
        self.stdout.write(f"lookup table {account.slug}/{options['table']}: {counts}")
