"""Access tokens in PostgreSQL, one per account, shared by every process and node.

Reading is one query while the stored token is fresh. Fetching happens under the token
row's lock (SELECT ... FOR UPDATE), so of all the processes that find it stale at once,
one fetches and the others wait and reuse what it stored: one fetch per account per
expiry. A call refused for its token (40001/40014/42001) forces one refresh and is
retried once. Tokens are secrets: nothing here logs one.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.db import transaction
from django.utils import timezone

from autoreply.models import AccessToken, Account
from autoreply.outbound.client import client
from wechat.errors import ApiError

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Refresh this long before WeChat's expiry, so a send never starts with a dying token.
AHEAD = timedelta(minutes=5)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class NoAppSecret(Exception):
    """The account has no AppSecret, so it cannot use WeChat's API."""

    def __init__(self, account: Account) -> None:
        super().__init__(
            f"account {account.slug!r} has no AppSecret: set it in the admin (Accounts) "
            "or the rules file (app_secret) to use WeChat's API"
        )


def access_token(account: Account) -> str:
    """A token valid for a while yet, fetched only when the stored one is stale."""
    fresh = AccessToken.objects.filter(account=account, expires_at__gt=timezone.now() + AHEAD)
    token = fresh.values_list("token", flat=True).first()
    return token or _fetch(account, stale=None)


def refresh(account: Account, stale: str) -> str:
    """A new token in place of `stale`, which WeChat refused (unless another process
    has already replaced it)."""
    return _fetch(account, stale=stale)


def call(account: Account, request: Callable[[str], T]) -> T:
    """`request(token)`, refreshing the token once and retrying once when it is refused."""
    token = access_token(account)
    try:
        return request(token)
    except ApiError as exc:
        if not exc.token_problem:
            raise
        logger.info("account %s: WeChat refused the access token (%s)", account.slug, exc.code)
        return request(refresh(account, stale=token))


def _fetch(account: Account, stale: str | None) -> str:
    if not account.app_secret:
        raise NoAppSecret(account)
    with transaction.atomic():
        AccessToken.objects.bulk_create(
            [AccessToken(account=account, expires_at=NEVER)], ignore_conflicts=True
        )
        row = AccessToken.objects.select_for_update().get(account=account)
        now = timezone.now()
        if row.token and row.token != stale and row.expires_at > now + AHEAD:
            return row.token  # another process fetched it while we waited for the lock
        fetched = client().stable_token(
            account.app_id, account.app_secret, force_refresh=stale is not None
        )
        if fetched.expires_in <= AHEAD.total_seconds():  # WeChat's own is nearly over
            fetched = client().stable_token(account.app_id, account.app_secret, force_refresh=True)
        row.token = fetched.access_token
        row.expires_at = now + timedelta(seconds=fetched.expires_in)
        row.fetched_at = now
        row.fetches += 1
        row.save()
    logger.info("account %s: fetched an access token (#%d)", account.slug, row.fetches)
    return row.token
