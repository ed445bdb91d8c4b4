"""`manage.py age_messages`: what the worker does hourly, for cron users (retention.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from autoreply import retention


class Command(BaseCommand):
    help = (
        "Create the message partitions of the days ahead and drop the days (and sends) "
        "older than AUTOREPLY_RETENTION_DAYS."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        aged = retention.age()
        self.stdout.write(
            f"{len(aged.created)} partitions created, {len(aged.dropped)} dropped, "
            f"{aged.messages_deleted} messages and {aged.sends_deleted} sends deleted"
        )
        if aged.postponed:
            raise CommandError(
                f"postponed ({', '.join(aged.postponed)}): a lock was not free in "
                f"{retention.LOCK_TIMEOUT}; run it again"
            )
