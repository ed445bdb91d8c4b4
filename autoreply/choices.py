"""The closed vocabularies of rules, replies and the message log."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wechat.replies import REPLY_KINDS


class EncryptionMode(models.TextChoices):
    """As on the WeChat platform's server configuration page."""

    PLAIN = "plain", "plain (明文模式)"
    COMPATIBLE = "compatible", "compatible (兼容模式)"
    SAFE = "safe", "safe (安全模式): encrypted pushes only"


class MsgType(models.TextChoices):
    ANY = "any", "any follower message (never an event)"
    TEXT = "text", "text"
    IMAGE = "image", "image"
    VOICE = "voice", "voice"
    VIDEO = "video", "video"
    SHORTVIDEO = "shortvideo", "short video"
    LOCATION = "location", "location"
    LINK = "link", "link"
    EVENT = "event", "event"


# Message types whose text keywords are matched against (voice: its Recognition).
TEXT_BEARING = frozenset({MsgType.ANY, MsgType.TEXT, MsgType.VOICE})


class KeywordMode(models.TextChoices):
    EXACT = "exact", "exact (全匹配)"
    CONTAINS = "contains", "contains (半匹配)"
    REGEX = "regex", "regular expression"


class ReplyMode(models.TextChoices):
    RANDOM = "random", "one at random"
    FIRST = "first", "always the first"
    ALL = "all", _("all (回复全部)")  # the first passively, the rest as customer-service messages


# Derived from the one declaration of reply types (wechat.replies.REPLY_KINDS):
# ReplyType.TEXT == "text", ReplyType.TRANSFER_CUSTOMER_SERVICE == "transfer_customer_service".
ReplyType = models.TextChoices(  # type: ignore[call-overload]  # the functional API, labelled
    "ReplyType", [(name.upper(), (name, kind.label)) for name, kind in REPLY_KINDS.items()]
)

# WeChat's clients refuse longer text replies in practice.
MAX_TEXT_BYTES = 2047


class Status(models.TextChoices):
    """How a message was answered."""

    PENDING = "pending", "being answered"
    REPLY = "reply", "answered by a rule"
    SILENCE = "silence", "silence (a rule without replies)"
    NO_RULE = "no_rule", "no rule matched"
    DEADLINE = "deadline", "past the deadline"
    ERROR = "error", "error"
