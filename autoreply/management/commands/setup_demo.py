"""`manage.py setup_demo`: first-run set-up for `bin/serve` (safe to run every start).

Loads the demo account when there are no accounts yet, creates an `admin` superuser
with a generated password when there is no superuser, and prints where to go.
"""

from typing import Any

from django.core.management.base import BaseCommand

from autoreply import demo


class Command(BaseCommand):
    help = "Load the demo account and create an admin login, if this is a fresh database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        for line in demo.set_up(options["base_url"]):
            self.stdout.write(line)
