"""Answering one parsed message: record it once, match, render, within the deadline.

The usual path costs one statement: the rule is chosen in memory first, then the
message goes in with its answer already attached. A rule with a cooldown needs to know
what this follower was last told, so that path runs in a transaction that holds the
follower's row (locked by the insert) until the answer is stored: two messages from one
follower cannot both slip past a cooldown.

A repeat delivery of a stored message gets the stored reply again; a row whose first
delivery was never answered (past the deadline, or its worker died) is handled afresh.

When the database is away (or refuses the row) the push is answered from memory and
written to the spool (spool.py), to be replayed into PostgreSQL when it answers again.
"""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import DatabaseError, transaction

from autoreply.choices import Status
from autoreply.conf import setting
from autoreply.outbound import follow_ups
from autoreply.rules.matching import Hit, RuleSpec
from autoreply.rules.rendering import Decision, answer
from autoreply.webhook import recording, spool
from autoreply.webhook.registry import Site
from autoreply.webhook.replays import Binding
from wechat.messages import Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Clock:
    """When handling started (monotonic) and when it must be done by."""

    started: float
    budget: float

    @classmethod
    def start(cls, started: float) -> "Clock":
        return cls(started, setting("WECHAT_REPLY_DEADLINE"))

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self.started) * 1000

    def expired(self) -> bool:
        return time.monotonic() - self.started > self.budget


def respond(
    site: Site, message: Message, raw_xml: bytes, clock: Clock, binding: Binding | None = None
) -> bytes | None:
    """The reply XML to send, or None for `success`. With its query's `binding`, which
    is stored with the message (QueryReused when the query carried another body)."""
    key = recording.dedup_key(message, raw_xml)
    context = _context(site, message)
    first = next(site.index.candidates(message, context=context), None)
    decision = None
    try:
        if first is not None and first.rule.cooldown_seconds:
            if binding is not None:
                binding.bind()  # before the cooldown's transaction, which stores the push
            return _insert_then_decide(site, message, raw_xml, key, clock, context)
        decision = _within_deadline(_decide(site, message, first, context), clock)
        return _decide_then_insert(site, message, raw_xml, key, decision, clock, binding)
    except DatabaseError as error:
        return _spool(site, message, raw_xml, key, decision, clock, error)


def _spool(
    site: Site,
    message: Message,
    raw_xml: bytes,
    key: uuid.UUID,
    decision: Decision | None,
    clock: Clock,
    error: DatabaseError,
) -> bytes | None:
    """The database is away or refused the row: answer from memory, keep the push on disk.

    A retry of a push already spooled gets the answer that delivery got. A cooldown
    cannot be checked without the database: such a push is answered `success`."""
    sent = spool.answer_for(site.version.id, key)
    if sent is not None:
        return sent or None
    if decision is None:
        decision = Decision(Status.ERROR, error=f"the database was away: {error}")  # no context
    answer = b"" if clock.expired() else decision.reply
    row = recording.Row(
        site.version.id, key, message, raw_xml, decision, clock.elapsed_ms(), time.time()
    )
    try:
        answer = spool.write(site.slug, row, answer)
    except OSError:
        # Not silent: the whole push goes to the error log so it can still be replayed.
        logger.exception(
            "account %s: could not store the push from %s, nor spool it; its XML follows\n%s",
            site.slug,
            message.from_user,
            raw_xml.decode(errors="replace"),
        )
    else:
        logger.warning(
            "account %s: could not store the push from %s (%s): spooled",
            site.slug,
            message.from_user,
            error,
        )
    return answer or None


def _decide_then_insert(
    site: Site,
    message: Message,
    raw_xml: bytes,
    key: uuid.UUID,
    decision: Decision,
    clock: Clock,
    binding: Binding | None,
) -> bytes | None:
    """The usual path: the answer is chosen in memory and stored with the message."""
    row = recording.insert(
        recording.Row(site.version.id, key, message, raw_xml, decision, clock.elapsed_ms()),
        binding,
    )
    if row is None:
        return _repeat(site, message, key, clock)
    return _deliver(site, message, row, decision, clock)


def _insert_then_decide(
    site: Site, message: Message, raw_xml: bytes, key: uuid.UUID, clock: Clock, context: str
) -> bytes | None:
    """A cooldown: the follower's row stays locked by the insert until the answer is in."""
    pending = recording.Row(
        site.version.id, key, message, raw_xml, recording.pending(context), clock.elapsed_ms()
    )
    with transaction.atomic(using=recording.database()):
        row = recording.insert(pending)
        if row is None:
            return _repeat(site, message, key, clock)
        decision = _choose(site, message, _cooling(site, message), context)
        decision = _within_deadline(decision, clock)
        recording.finish(row, message.create_time, decision, clock.elapsed_ms())
        recording.change_context(site.version.id, message, decision)
    return _deliver(site, message, row, decision, clock)


def _repeat(site: Site, message: Message, key: uuid.UUID, clock: Clock) -> bytes | None:
    """A repeat delivery: the stored reply, a take-over of an unanswered row, or silence."""
    earlier = recording.earlier(site.version.id, key, message.create_time, clock.budget)
    if earlier is None:
        return None
    if earlier.status == Status.REPLY:
        return earlier.reply
    if not _unanswered(earlier):
        return None  # answered with silence, or still being answered by another delivery
    # Decided in the conversation the first delivery arrived in, whatever happened since.
    decision = _choose(site, message, _cooling(site, message), earlier.context)
    decision = _within_deadline(decision, clock)
    with transaction.atomic(using=recording.database()):
        if not recording.take_over(earlier, decision, clock.elapsed_ms(), clock.budget):
            return None
        recording.change_context(site.version.id, message, decision)
    follow_ups.after_answer(site, message, earlier.id, decision)
    return decision.reply or None


def _unanswered(earlier: recording.Earlier) -> bool:
    """Its first delivery ran out of time, or died (a pending row past the deadline)."""
    if earlier.status == Status.DEADLINE:
        return True
    return earlier.status == Status.PENDING and earlier.stale


def _deliver(
    site: Site, message: Message, row: int, decision: Decision, clock: Clock
) -> bytes | None:
    if decision.reply and clock.expired():  # too late to be seen: say so in the log
        decision = replace(decision, status=Status.DEADLINE, reply=b"")
        recording.finish(row, message.create_time, decision, clock.elapsed_ms())
    follow_ups.after_answer(site, message, row, decision)  # h5: reply all, late answers
    return decision.reply or None


def _context(site: Site, message: Message) -> str:
    """The follower's conversation when the push arrived; read only by accounts whose
    rules have conversations. With the database away it is answered as in none."""
    if not site.index.uses_context:
        return ""
    try:
        stored = recording.follower_context(site.version.id, message.from_user)
    except DatabaseError as error:
        logger.warning(
            "account %s: answering %s as in no conversation: could not read it (%s)",
            site.slug,
            message.from_user,
            error,
        )
        return ""
    return stored.at(message.create_time)


def _decide(site: Site, message: Message, hit: Hit | None, context: str) -> Decision:
    return answer(hit, message, site.lookups, int(time.time()), context)


def _choose(
    site: Site, message: Message, cooling: Callable[[RuleSpec], bool], context: str
) -> Decision:
    for hit in site.index.candidates(message, context=context):
        if not (hit.rule.cooldown_seconds and cooling(hit.rule)):
            return _decide(site, message, hit, context)
    return _decide(site, message, None, context)


def _cooling(site: Site, message: Message) -> Callable[[RuleSpec], bool]:
    def cooling(rule: RuleSpec) -> bool:
        return recording.recently_answered(
            site.version.id, message.from_user, rule.id, rule.cooldown_seconds
        )

    return cooling


def _within_deadline(decision: Decision, clock: Clock) -> Decision:
    if clock.expired():  # its rule's answer may still go out late, conversation and all
        return replace(decision, status=Status.DEADLINE, reply=b"")
    return decision
