"""`manage.py sync_lookup TABLE... | --all`: refill lookup tables from their configured
sources (AUTOREPLY_LOOKUP_SOURCES; see autoreply/lookups/sync.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.lookups import sync
from autoreply.lookups.sync import SyncError


class Command(BaseCommand):
    help = (
        "Replace lookup tables with what their sources' read-only queries return now; "
        "a source that fails leaves its table as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tables", nargs="*", metavar="TABLE", help="a configured table")
        parser.add_argument("--all", action="store_true", help="every configured table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"] == bool(options["tables"]):
            raise CommandError("name the tables to sync, or give --all (not both)")
        try:  # every name is checked before anything is synced
            tables = list(sync.configured()) if options["all"] else options["tables"]
            for table in tables:
                sync.source(table)
        except SyncError as exc:
            raise CommandError(str(exc)) from None
        failures = []
        for table in tables:  # each table in its own transaction: one failure spares the rest
            try:
                self.stdout.write(str(sync.sync(table)))
            except SyncError as exc:
                failures.append(f"{exc}; the table is left as it was")
        if failures:
            raise CommandError("\n".join(failures))
