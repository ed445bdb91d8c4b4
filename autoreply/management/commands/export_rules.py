"""`manage.py export_rules [--account SLUG] [--with-secrets] [--output FILE]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from autoreply.files.rules_export import export_rules
from autoreply.management.accounts import find_account


class Command(BaseCommand):
    help = "Write accounts, rules and lookup tables as a JSON rules file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--account",
            action="append",
            metavar="SLUG",
            help="only this account (repeatable); default: all",
        )
        parser.add_argument(
            "--with-secrets",
            action="store_true",
            help="include token and EncodingAESKeys (keep such files private)",
        )
        parser.add_argument("--output", metavar="FILE", help="default: standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["account"]
        for slug in slugs or []:
            find_account(slug)  # a CommandError naming the slug, before anything is written
        text = export_rules(slugs, with_secrets=options["with_secrets"])
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
