"""`manage.py import_rules FILE [--replace]`: load a rules file (see README)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.rules_import import import_rules
from autoreply.rules_schema import RulesFileError


class Command(BaseCommand):
    help = "Import accounts, rules and lookup tables from a JSON rules file, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the rules file (JSON); - reads standard input")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="also delete rules and lookup entries of the file's accounts not in the file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = read_json(options["file"])
        try:
            report = import_rules(document, replace=options["replace"])
        except RulesFileError as exc:
            raise CommandError(f"nothing imported:\n{exc}") from None
        for line in report.lines():
            self.stdout.write(line)


def read_json(name: str) -> Any:
    """The parsed JSON file, or a CommandError saying what is wrong with it."""
    import sys

    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        return json.loads(text)
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{name} is not valid JSON: {exc}") from None
