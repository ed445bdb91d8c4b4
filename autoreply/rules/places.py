"""The WeChat platform's three places for auto-replies, as kinds of rule: 被关注回复 (the
subscribe rule), 收到消息回复 (keyword-less rules answering any message; the lowest-ranked
one is the account's default rule) and 关键词回复 (rules with keywords). Operators who
know the platform find their rules by these; `other` is everything else.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from autoreply.choices import MsgType
from autoreply.models import Keyword, Rule


class Place(models.TextChoices):
    SUBSCRIBE = "subscribe", _("reply on follow (被关注回复)")
    DEFAULT = "default", _("reply to any message (收到消息回复)")
    KEYWORD = "keyword", _("keyword replies (关键词回复)")
    OTHER = "other", _("other rules")


SUBSCRIBE = Q(msg_type=MsgType.EVENT, event__iexact="subscribe")
WITH_KEYWORDS = Exists(Keyword.objects.filter(rule=OuterRef("pk")))
# A keyword-less rule only in a conversation is a step of it, not the default reply.
DEFAULT = Q(msg_type=MsgType.ANY, requires_context="") & ~WITH_KEYWORDS
PLACES = {
    Place.SUBSCRIBE: SUBSCRIBE,
    Place.DEFAULT: DEFAULT,
    Place.KEYWORD: WITH_KEYWORDS,
    Place.OTHER: ~SUBSCRIBE & ~DEFAULT & ~WITH_KEYWORDS,
}


def rules_in(place: str, rules: QuerySet[Rule]) -> QuerySet[Rule]:
    """The `rules` that belong in `place` (a Place value)."""
    return rules.filter(PLACES[Place(place)])


def default_rule(account_id: int, excluding: int | None = None) -> Rule | None:
    """The account's default rule (收到消息回复): the enabled keyword-less rule for any
    message that is tried last; `excluding` a rule's pk, to ask what the others make it."""
    rules = Rule.objects.filter(DEFAULT, account_id=account_id, enabled=True)
    if excluding is not None:
        rules = rules.exclude(pk=excluding)
    return rules.order_by("priority", "-name").first()
