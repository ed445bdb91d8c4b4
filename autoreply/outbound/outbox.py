"""Queueing customer-service messages: rows of the message log, each with its job.

What one message causes goes out as one job, in order; each follower's jobs carry one
procrastinate lock, so the worker runs them one at a time in the order they were queued
(a job being retried holds back those behind it).
"""

from collections.abc import Sequence

from django.db import transaction

from autoreply.models import Account, OutboundMessage
from autoreply.outbound import tasks
from wechat import api, replies


def enqueue(
    account: Account,
    openid: str,
    outgoing: Sequence[replies.Reply],
    reason: str,
    message_id: int | None = None,
) -> list[OutboundMessage]:
    """Queue `outgoing` to `openid`, in order; the rows and their jobs commit together."""
    rows = [
        OutboundMessage(
            account=account,
            message_id=message_id,
            openid=openid,
            order=number,
            reason=reason,
            msgtype=payload["msgtype"],
            payload=payload,
        )
        for number, payload in enumerate(api.custom_message(openid, r) for r in outgoing)
    ]
    with transaction.atomic():
        OutboundMessage.objects.bulk_create(rows)
        if rows:
            job = tasks.send.configure(lock=follower_lock(account.pk, openid))
            job.defer(outbound_ids=[row.pk for row in rows])
    return rows


def follower_lock(account_id: int, openid: str) -> str:
    return f"autoreply.follower.{account_id}.{openid}"
