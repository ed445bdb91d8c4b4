"""`manage.py replay_spool`: move the pushes this node spooled into PostgreSQL now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from autoreply.webhook import spool


class Command(BaseCommand):
    help = "Store the pushes spooled while the database was away (AUTOREPLY_SPOOL_DIR)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            replayed = spool.replay()
        except DatabaseError as error:
            raise CommandError(f"the database does not answer yet ({error}); try again") from error
        if replayed.busy:
            raise CommandError("another process is replaying the spool right now; try again")
        self.stdout.write(
            f"{replayed.stored} stored, {replayed.duplicates} already stored, "
            f"{replayed.refused} refused by the database, {spool.depth()} left"
        )
