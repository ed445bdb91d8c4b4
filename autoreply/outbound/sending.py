"""Delivering one queued customer-service message (autoreply.outbound.outbox queues them).

WeChat's -1 (busy) and network failures are tried again with backoff; refusals that will
not change (45015, 45047, 40003, 48001, any other errcode) fail at once, shown in the log.
"""

import logging

from django.utils import timezone

from autoreply.choices import OutboundStatus
from autoreply.models import OutboundMessage
from autoreply.outbound import tokens
from autoreply.outbound.client import client
from wechat.errors import ApiError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # with the backoff doubling from 2 s: given up after about a minute


class RetryLater(Exception):
    """The send failed in a way worth trying again (the task queue retries these only)."""


def deliver(outbound_id: int) -> None:
    """Send one queued message; raises RetryLater when it should be tried again."""
    row = OutboundMessage.objects.select_related("account").filter(pk=outbound_id).first()
    if row is None:
        logger.warning("customer-service message %d is gone (deleted): not sent", outbound_id)
        return
    if row.status != OutboundStatus.QUEUED:
        return  # already done: a job run twice must not send twice
    row.attempts += 1
    try:
        tokens.call(row.account, lambda token: client().send_json(token, row.payload))
    except (ApiError, tokens.NoAppSecret) as exc:
        _failed(row, exc)
        return
    row.status, row.errcode, row.errmsg, row.sent_at = OutboundStatus.SENT, 0, "", timezone.now()
    row.save(update_fields=["status", "errcode", "errmsg", "sent_at", "attempts"])


def _failed(row: OutboundMessage, exc: Exception) -> None:
    row.errcode = exc.code if isinstance(exc, ApiError) else None
    row.errmsg = (exc.errmsg if isinstance(exc, ApiError) else str(exc))[:255]
    retry = isinstance(exc, ApiError) and exc.retryable and row.attempts < MAX_ATTEMPTS
    if not retry:
        row.status = OutboundStatus.FAILED
    row.save(update_fields=["status", "errcode", "errmsg", "attempts"])
    logger.warning(
        "account %s: customer-service message %d to %s %s (try %d): %s",
        row.account.slug,
        row.pk,
        row.openid,
        "will be tried again" if retry else "failed",
        row.attempts,
        exc,
    )
    if retry:
        raise RetryLater(str(exc)) from exc
