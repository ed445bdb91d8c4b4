"""What follows a passive answer through the API: reply all's other replies, late answers.

The responder calls `after_answer` once a message row is stored; it costs nothing unless
the rule replies all or the answer came too late. What it finds is kept (per thread)
until the webhook's WSGI response is closed, that is after the passive answer has been
written to WeChat's connection, and only then queued (`release`): a follow-up can never
reach the follower before the passive reply.
"""

import logging
import random
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from functools import partial

from django.db import connection

from autoreply.choices import OutboundReason, ReplyMode, Status
from autoreply.models import Account
from autoreply.outbound import outbox
from autoreply.rules.matching import Hit, RuleIndex
from autoreply.rules.rendering import Decision, RulePayload, render_replies
from autoreply.webhook.registry import Site
from wechat import api, replies
from wechat.messages import Message

logger = logging.getLogger(__name__)

_local = threading.local()
_reply_all: "weakref.WeakKeyDictionary[RuleIndex, frozenset[int]]" = weakref.WeakKeyDictionary()
_reply_all_lock = threading.Lock()


def after_answer(site: Site, message: Message, row_id: int | None, decision: Decision) -> None:
    """Note what must follow `decision` for the stored message `row_id`; sent by `release`."""
    if decision.rule_id is None or row_id is None:
        return
    late = decision.status == Status.DEADLINE
    reply_all = decision.status == Status.REPLY and decision.rule_id in _reply_all_rules(site.index)
    if late or reply_all:
        _pending().append(partial(_follow_up, site, message, row_id, decision, late))


def release() -> None:
    """Queue what `after_answer` noted: called once the HTTP answer has gone out."""
    pending = _pending()
    jobs, pending[:] = list(pending), []
    for job in jobs:
        try:
            job()
        except Exception:  # the follower has had the passive answer; log, never raise here
            logger.exception("could not queue the customer-service messages after an answer")
        finally:
            # No request_finished signal on the webhook's lane: retire a broken connection
            # here, or one database restart would break every later follow-up of this process.
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()


class AfterResponse(list[bytes]):
    """A WSGI response body whose close() (called by the server once it is sent) releases."""

    def close(self) -> None:
        release()


def _pending() -> list[Callable[[], None]]:
    if not hasattr(_local, "pending"):
        _local.pending = []
    return _local.pending  # type: ignore[no-any-return]


def _reply_all_rules(index: RuleIndex) -> frozenset[int]:
    with _reply_all_lock:
        found = _reply_all.get(index)
        if found is None:
            found = frozenset(
                rule.id for rule in index.rules if rule.payload.reply_mode == ReplyMode.ALL
            )
            _reply_all[index] = found
        return found


def _follow_up(site: Site, message: Message, row_id: int, decision: Decision, late: bool) -> None:
    context = decision.context  # matched again as it was: in the same conversation
    hit = _hit(site.index.candidates(message, context=context), decision.rule_id)
    if hit is None:
        return
    account = Account.objects.get(pk=site.version.id)
    if not account.app_secret:
        logger.info("account %s: no AppSecret, so message %d gets no late answer", account, row_id)
        return
    outgoing = _outgoing(hit, message, site.lookups, late, context)
    sendable = [reply for reply in outgoing if _worth_sending(reply)]
    reason = OutboundReason.LATE if late else OutboundReason.REPLY_ALL
    if sendable:
        outbox.enqueue(account, message.from_user, sendable, reason, row_id)


def _hit(hits: Iterable[Hit], rule_id: int | None) -> Hit | None:
    return next((hit for hit in hits if hit.rule.id == rule_id), None)


def _outgoing(
    hit: Hit, message: Message, lookups: Mapping[str, Mapping[str, str]], late: bool, context: str
) -> tuple[replies.Reply, ...]:
    payload: RulePayload = hit.rule.payload
    if payload.reply_mode == ReplyMode.ALL:
        return render_replies(hit, message, lookups, start=0 if late else 1, context=context)
    rendered = render_replies(hit, message, lookups, context=context)
    if not rendered:
        return ()
    return (rendered[0] if payload.reply_mode == ReplyMode.FIRST else random.choice(rendered),)


def _worth_sending(reply: replies.Reply) -> bool:
    if isinstance(reply, replies.TextReply) and not reply.content.strip():
        return False  # as the passive path: an empty text is a silence
    return api.sendable(reply)
