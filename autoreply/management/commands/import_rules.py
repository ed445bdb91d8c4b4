"""`manage.py import_rules FILE [--replace]`: load a rules file (see README); or
`manage.py import_rules --from-platform FILE --account SLUG`: carry an account's rules over
from the WeChat platform's own auto-reply (the JSON of get_current_autoreply_info)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.choices import ChangeSource
from autoreply.errors import ImportRefused
from autoreply.files.platform import import_platform
from autoreply.files.rules_import import import_rules
from autoreply.files.sources import Upload, read_json
from autoreply.history.authorship import changes_by
from autoreply.management.accounts import find_account
from autoreply.models import Account
from autoreply.outbound.platform_rules import fetch_autoreply_info
from autoreply.outbound.tokens import NoAppSecret
from wechat.errors import ApiError

COMMAND = ChangeSource.COMMAND


class Command(BaseCommand):
    help = (
        "Import accounts, rules and lookup tables from a JSON rules file, all or nothing; "
        "or, with --from-platform, one account's rules from the WeChat platform's auto-reply."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the rules file (JSON); - reads standard input")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="also delete rules and lookup entries of the file's accounts not in the file",
        )
        parser.add_argument(
            "--from-platform",
            metavar="FILE",
            nargs="?",
            const="",
            help="instead: the JSON WeChat's get_current_autoreply_info API returned",
        )
        parser.add_argument(
            "--fetch",
            action="store_true",
            help="with --from-platform: read it through WeChat's API (needs the AppSecret)",
        )
        parser.add_argument(
            "--account", metavar="SLUG", help="with --from-platform: the account to import into"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_platform"] is not None or options["fetch"]:
            self.from_platform(options)
            return
        if not options["file"]:
            raise CommandError("name the rules file, or use --from-platform FILE --account SLUG")
        if options["account"]:
            raise CommandError("--account goes with --from-platform (a rules file names its own)")
        document = parsed(options["file"])
        replace = " --replace" if options["replace"] else ""
        try:
            with changes_by(None, COMMAND, f"import_rules {options['file']}{replace}"):
                report = import_rules(document, replace=options["replace"])
        except ImportRefused as exc:
            raise CommandError(f"nothing imported:\n{exc}") from None
        for line in report.lines():
            self.stdout.write(line)

    def from_platform(self, options: dict[str, Any]) -> None:
        if options["file"] or options["replace"]:
            raise CommandError("--from-platform takes neither a rules file nor --replace")
        if bool(options["from_platform"]) == options["fetch"]:
            raise CommandError("--from-platform needs a FILE, or --fetch to read it from WeChat")
        if not options["account"]:
            raise CommandError("--from-platform needs --account SLUG: the account to import into")
        account = find_account(options["account"])
        data = fetched(account) if options["fetch"] else parsed(options["from_platform"])
        source = "--fetch" if options["fetch"] else options["from_platform"]
        try:
            with changes_by(None, COMMAND, f"import_rules --from-platform {source}"):
                report, warnings = import_platform(account, data)
        except ImportRefused as exc:
            raise CommandError(f"nothing imported:\n{exc}") from None
        for line in [*report.lines(), *(f"warning: {warning}" for warning in warnings)]:
            if not line.startswith("accounts:"):  # the account itself is as it was
                self.stdout.write(line)


def fetched(account: Account) -> Any:
    """The platform's settings through the API, or a CommandError saying why not."""
    try:
        return fetch_autoreply_info(account)
    except (ApiError, NoAppSecret) as exc:
        raise CommandError(f"cannot read the platform's rules: {exc}") from None


def parsed(name: str) -> Any:
    """The parsed JSON file (- for standard input), or a CommandError saying what is wrong."""
    try:
        return read_json(Upload("-", _stdin()) if name == "-" else name)
    except ImportRefused as exc:
        raise CommandError(str(exc)) from None


def _stdin() -> bytes:
    binary = getattr(sys.stdin, "buffer", None)  # absent when a test replaces stdin with text
    return binary.read() if binary is not None else sys.stdin.read().encode()
