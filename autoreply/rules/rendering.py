"""Turning a matched rule into the reply XML: pick a reply, render its templates.

Pure: no database, no HTTP. Whatever goes wrong while rendering becomes an `error`
decision (answered with `success`), never an exception the follower would see.
"""

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.template import Context

from autoreply import templating
from autoreply.choices import ReplyMode, Status
from autoreply.rules.conversations import ContextChange
from autoreply.rules.matching import Hit, Inbound
from autoreply.templating import Compiled, render
from wechat import replies
from wechat.errors import WeChatError

logger = logging.getLogger(__name__)

Fields = tuple[tuple[str, Compiled], ...]


@dataclass(frozen=True, slots=True)
class CompiledReply:
    """One reply of a rule with every string field compiled to a template."""

    type: str
    fields: Fields
    articles: tuple[Fields, ...] = ()

    def build(self, context: Context) -> replies.Reply:
        kind = replies.REPLY_KINDS[self.type]
        values: dict[str, Any] = {name: render(field, context) for name, field in self.fields}
        if kind.articles:
            articles = (
                replies.Article(**{name: render(field, context) for name, field in article})
                for article in self.articles
            )
            values["articles"] = tuple(articles)
        return kind.cls(**values)


@dataclass(frozen=True, slots=True)
class RulePayload:
    """What a rule answers with: its compiled replies and how to pick one."""

    reply_mode: str
    replies: tuple[CompiledReply, ...]

    def pick(self) -> CompiledReply:
        if self.reply_mode in (ReplyMode.FIRST, ReplyMode.ALL):  # all: the rest follow (outbound)
            return self.replies[0]
        return random.choice(self.replies)


@dataclass(frozen=True, slots=True)
class Decision:
    """How one message is answered: in which conversation it arrived (`context`, '' for
    none) and what answering does to it (`change`, None: nothing)."""

    status: str
    rule_id: int | None = None
    reply: bytes = b""
    error: str = field(default="")
    context: str = ""
    change: ContextChange | None = None


NO_RULE = Decision(Status.NO_RULE)


def answer(
    hit: Hit | None,
    message: Inbound,
    lookups: Mapping[str, Mapping[str, str]],
    now: int,
    context: str = "",
) -> Decision:
    """The decision for `message`, arriving in the conversation `context`, answered by
    `hit` (None: no rule matched). A rule that answers (a silence too) makes its change
    to the conversation; one that fails to render does not."""
    if hit is None:
        return Decision(Status.NO_RULE, context=context)
    rule = hit.rule
    payload: RulePayload = rule.payload
    if not payload.replies:
        return Decision(Status.SILENCE, rule.id, context=context, change=rule.context_change)
    values = templating.message_context(message, hit.match, lookups, context)
    try:
        reply = payload.pick().build(values)
        if isinstance(reply, replies.TextReply) and not reply.content.strip():
            error = "the text reply rendered empty"
            return Decision(Status.SILENCE, rule.id, b"", error, context, rule.context_change)
        xml = replies.render_reply(
            reply,
            to_user=message.from_user,  # type: ignore[attr-defined]
            from_user=message.to_user,  # type: ignore[attr-defined]
            create_time=now,
            answering_event=message.is_event,
        )
    except WeChatError as exc:
        return Decision(Status.ERROR, rule.id, error=str(exc), context=context)
    except Exception as exc:  # a template filter can raise anything; the follower must not see it
        logger.exception("rule %s failed to render", rule.id)
        error = f"{type(exc).__name__}: {exc}"
        return Decision(Status.ERROR, rule.id, error=error, context=context)
    return Decision(Status.REPLY, rule.id, xml, "", context, rule.context_change)


def render_replies(
    hit: Hit,
    message: Inbound,
    lookups: Mapping[str, Mapping[str, str]],
    start: int = 0,
    context: str = "",
) -> tuple[replies.Reply, ...]:
    """The rule's replies from `start` on, rendered for `message` (reply all's follow-ups).
    Raises what rendering raises: the caller is off the webhook's answer path."""
    values = templating.message_context(message, hit.match, lookups, context)
    payload: RulePayload = hit.rule.payload
    return tuple(reply.build(values) for reply in payload.replies[start:])
