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
from autoreply.rules.matching import Hit, Inbound
from autoreply.templating import Renderer
from wechat import replies
from wechat.errors import WeChatError

logger = logging.getLogger(__name__)

Fields = tuple[tuple[str, Renderer], ...]


@dataclass(frozen=True)
class CompiledReply:
    """One reply of a rule with every string field compiled to a template."""

    type: str
    fields: Fields
    articles: tuple[Fields, ...] = ()

    def build(self, context: Context) -> replies.Reply:
        kind = replies.REPLY_KINDS[self.type]
        values: dict[str, Any] = {name: render(context) for name, render in self.fields}
        if kind.articles:
            articles = (
                replies.Article(**{name: render(context) for name, render in article})
                for article in self.articles
            )
            values["articles"] = tuple(articles)
        return kind.cls(**values)


@dataclass(frozen=True)
class RulePayload:
    """What a rule answers with: its compiled replies and how to pick one."""

    reply_mode: str
    replies: tuple[CompiledReply, ...]

    def pick(self) -> CompiledReply:
        if self.reply_mode in (ReplyMode.FIRST, ReplyMode.ALL):  # all: the rest follow (outbound)
            return self.replies[0]
        return random.choice(self.replies)


@dataclass(frozen=True)
class Decision:
    """How one message is answered."""

    status: str
    rule_id: int | None = None
    reply: bytes = b""
    error: str = field(default="")


NO_RULE = Decision(Status.NO_RULE)


def answer(
    hit: Hit | None, message: Inbound, lookups: Mapping[str, Mapping[str, str]], now: int
) -> Decision:
    """The decision for `message` answered by `hit` (None: no rule matched)."""
    if hit is None:
        return NO_RULE
    payload: RulePayload = hit.rule.payload
    if not payload.replies:
        return Decision(Status.SILENCE, hit.rule.id)
    context = templating.message_context(message, hit.match, lookups)
    try:
        reply = payload.pick().build(context)
        if isinstance(reply, replies.TextReply) and not reply.content.strip():
            return Decision(Status.SILENCE, hit.rule.id, error="the text reply rendered empty")
        xml = replies.render_reply(
            reply,
            to_user=message.from_user,  # type: ignore[attr-defined]
            from_user=message.to_user,  # type: ignore[attr-defined]
            create_time=now,
            answering_event=message.is_event,
        )
    except WeChatError as exc:
        return Decision(Status.ERROR, hit.rule.id, error=str(exc))
    except Exception as exc:  # a template filter can raise anything; the follower must not see it
        logger.exception("rule %s failed to render", hit.rule.id)
        return Decision(Status.ERROR, hit.rule.id, error=f"{type(exc).__name__}: {exc}")
    return Decision(Status.REPLY, hit.rule.id, xml)


def render_replies(
    hit: Hit, message: Inbound, lookups: Mapping[str, Mapping[str, str]], start: int = 0
) -> tuple[replies.Reply, ...]:
    """The rule's replies from `start` on, rendered for `message` (reply all's follow-ups).
    Raises what rendering raises: the caller is off the webhook's answer path."""
    context = templating.message_context(message, hit.match, lookups)
    payload: RulePayload = hit.rule.payload
    return tuple(reply.build(context) for reply in payload.replies[start:])
