"""The platform's own auto-reply settings, read through the API (import_rules --fetch)."""

from typing import Any

from autoreply.models import Account
from autoreply.outbound import tokens
from autoreply.outbound.client import client


def fetch_autoreply_info(account: Account) -> dict[str, Any]:
    """What get_current_autoreply_info answers for the account now."""
    return tokens.call(account, lambda token: client().autoreply_info(token))
