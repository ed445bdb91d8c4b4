"""Answering one parsed message: record it once, match, render, within the deadline.

The usual path costs one statement: the rule is chosen in memory first, then the
message goes in with its answer already attached. A rule with a cooldown needs to know
what this follower was last told, so that path runs in a transaction that holds the
follower's row (locked by the insert) until the answer is stored: two messages from one
follower cannot both slip past a cooldown.

A repeat delivery of a stored message gets the stored reply again; a row whose first
delivery was never answered (past the deadline, or its worker died) is handled afresh.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, transaction

from autoreply.choices import Status
from autoreply.conf import setting
from autoreply.outbound import follow_ups
from autoreply.rules.matching import Hit, RuleSpec
from autoreply.rules.rendering import Decision, answer
from autoreply.webhook import recording
from autoreply.webhook.registry import Site
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


def respond(site: Site, message: Message, raw_xml: bytes, clock: Clock) -> bytes | None:
    """The reply XML to send, or None for `success`."""
    key = recording.dedup_key(message, raw_xml)
    first = next(site.index.candidates(message), None)
    decision = None
    try:
        if first is not None and first.rule.cooldown_seconds:
            return _respond_with_cooldowns(site, message, raw_xml, key, clock)
        decision = _within_deadline(_decide(site, message, first), clock)
        row = recording.insert(site.version.id, message, raw_xml, key, decision, clock.elapsed_ms())
        if row is None:
            return _repeat(site, message, key, clock)
        return _deliver(site, message, row, decision, clock)
    except DatabaseError:
        # Not silent: the whole push goes to the error log so it can be replayed. The
        # follower still gets the answer when it did not depend on the database.
        logger.exception(
            "account %s: could not store the push from %s; its XML follows\n%s",
            site.slug,
            message.from_user,
            raw_xml.decode(errors="replace"),
        )
        return decision.reply or None if decision and not clock.expired() else None


def _respond_with_cooldowns(
    site: Site, message: Message, raw_xml: bytes, key: object, clock: Clock
) -> bytes | None:
    with transaction.atomic(using=recording.database()):
        row = recording.insert(
            site.version.id, message, raw_xml, key, recording.PENDING, clock.elapsed_ms()
        )
        if row is None:
            return _repeat(site, message, key, clock)
        decision = _within_deadline(_choose(site, message, _cooling(site, message)), clock)
        recording.finish(row, decision, clock.elapsed_ms())
    return _deliver(site, message, row, decision, clock)


def _repeat(site: Site, message: Message, key: object, clock: Clock) -> bytes | None:
    earlier = recording.earlier(site.version.id, key, clock.budget)
    if earlier is None:
        return None
    if earlier.status == Status.REPLY:
        return earlier.reply
    if earlier.status == Status.DEADLINE or (earlier.status == Status.PENDING and earlier.stale):
        decision = _within_deadline(_choose(site, message, _cooling(site, message)), clock)
        if recording.take_over(earlier.id, decision, clock.elapsed_ms(), clock.budget):
            return decision.reply or None
    return None  # answered with silence, or still being answered by another delivery


def _deliver(
    site: Site, message: Message, row: int, decision: Decision, clock: Clock
) -> bytes | None:
    if decision.reply and clock.expired():  # too late to be seen: say so in the log
        decision = Decision(Status.DEADLINE, decision.rule_id)
        recording.finish(row, decision, clock.elapsed_ms())
    follow_ups.after_answer(site, message, row, decision)  # h5: reply all, late answers
    return decision.reply or None


def _decide(site: Site, message: Message, hit: Hit | None) -> Decision:
    return answer(hit, message, site.lookups, int(time.time()))


def _choose(site: Site, message: Message, cooling: Callable[[RuleSpec], bool]) -> Decision:
    for hit in site.index.candidates(message):
        if not (hit.rule.cooldown_seconds and cooling(hit.rule)):
            return _decide(site, message, hit)
    return _decide(site, message, None)


def _cooling(site: Site, message: Message) -> Callable[[RuleSpec], bool]:
    def cooling(rule: RuleSpec) -> bool:
        return recording.recently_answered(
            site.version.id, message.from_user, rule.id, rule.cooldown_seconds
        )

    return cooling


def _within_deadline(decision: Decision, clock: Clock) -> Decision:
    if clock.expired():
        return Decision(Status.DEADLINE, decision.rule_id, error=decision.error)
    return decision
