"""`manage.py import_faq FILE.csv --account SLUG [--mode exact|contains]`: FAQ rows as rules."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.choices import ChangeSource
from autoreply.errors import ImportRefused
from autoreply.files.faq import MODES, import_faq
from autoreply.history.authorship import changes_by
from autoreply.management.accounts import find_account


class Command(BaseCommand):
    help = (
        "Import a question,answer spreadsheet (CSV in UTF-8 or GB18030, or .xlsx) as one "
        "rule per row, "
        "named 'FAQ: <question>'; all or nothing, and re-importing changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the spreadsheet (CSV or .xlsx): question,answer per row")
        parser.add_argument("--account", required=True, metavar="SLUG")
        parser.add_argument(
            "--mode",
            choices=MODES,
            default=MODES[0],
            help="how a follower's text must match the question (default: exact)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        account = find_account(options["account"])
        quiet = options["quiet"] or options["verbosity"] == 0
        detail = f"import_faq {options['file']} --mode {options['mode']}"
        try:
            with changes_by(None, ChangeSource.COMMAND, detail):
                report = import_faq(
                    account, options["file"], options["mode"], None if quiet else sys.stderr
                )
        except ImportRefused as exc:
            raise CommandError(f"nothing imported:\n{exc}") from None
        for line in report.lines():
            self.stdout.write(line)
