"""What the simulator shows after a passive reply: the customer-service messages that
followed it (reply all, a late answer), as they reached the follower."""

import time
from urllib.parse import urlsplit

from autoreply.choices import OutboundStatus, ReplyMode, Status
from autoreply.conf import setting
from autoreply.models import Account, Message, OutboundMessage
from wechat import standin_client

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def follow_ups(account: Account, openid: str, since: float, wait: float = 5.0) -> list[str]:
    """Lines for the messages sent to `openid` after its latest push, waiting up to
    `wait` seconds for the worker to send them; [] when none were due."""
    message = Message.objects.filter(account=account, from_user=openid).order_by("-id").first()
    if message is None or not _expects_follow_ups(account, message):
        return []
    rows = _settled(message, time.monotonic() + wait)
    if not rows:
        return ["(no customer-service message was queued for it)"]
    base_url = setting("WECHAT_API_BASE_URL")
    # Only a stand-in on this machine can say what reached the follower; never ask WeChat.
    local = urlsplit(base_url).hostname in LOOPBACK
    reached = standin_client.delivered(base_url, openid, since) if local else None
    if reached is None:  # what the log says the API accepted
        return [
            line
            for r in rows
            if r.status == OutboundStatus.SENT
            for line in standin_client.describe(r.payload)
        ] + _unsent(rows)
    return [line for sent in reached for line in standin_client.describe(sent)] + _unsent(rows)


def _unsent(rows: list[OutboundMessage]) -> list[str]:
    lines = []
    pending = [r for r in rows if r.status == OutboundStatus.QUEUED]
    if pending:
        lines.append(f"({len(pending)} still queued: is `manage.py worker` running?)")
    lines.extend(
        f"(customer-service message {r.order + 1} failed with errcode {r.errcode}: {r.errmsg})"
        for r in rows
        if r.status == OutboundStatus.FAILED
    )
    return lines


def _expects_follow_ups(account: Account, message: Message) -> bool:
    if message.status == Status.DEADLINE:
        return bool(account.app_secret)
    rule = message.answering_rule
    return rule is not None and rule.reply_mode == ReplyMode.ALL


def _settled(message: Message, deadline: float) -> list[OutboundMessage]:
    """The message's follow-ups once none is queued any more (or at the deadline)."""
    while True:
        rows = list(message.outbound.order_by("id"))
        done = rows and all(r.status != OutboundStatus.QUEUED for r in rows)
        if done or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)
