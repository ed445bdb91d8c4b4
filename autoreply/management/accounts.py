"""The account a command's `--account SLUG` names, found the same way by every command."""

from django.core.management.base import CommandError
from django.db import DatabaseError

from autoreply.models import Account


def find_account(slug: str) -> Account:
    """The account with this slug, or a CommandError saying what to do instead."""
    try:
        account = Account.objects.filter(slug=slug).first()
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise CommandError(
            f"cannot reach the database ({first_line}): start the server with bin/serve"
        ) from None
    if account is None:
        raise CommandError(f"no account with slug {slug!r} (see manage.py export_rules)")
    return account
