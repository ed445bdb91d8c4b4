"""The closed vocabularies of rules, replies and the message log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class ReplyType(models.TextChoices):
    TEXT = "text", "text"
    IMAGE = "image", "image"
    VOICE = "voice", "voice"
    VIDEO = "video", "video"
    MUSIC = "music", "music"
    NEWS = "news", "news (articles)"
    TRANSFER_CUSTOMER_SERVICE = "transfer_customer_service", "transfer to customer service"


# The fields each reply type uses, in rules-file order; required ones first, marked True.
REPLY_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    ReplyType.TEXT: (("content", True),),
    ReplyType.IMAGE: (("media_id", True),),
    ReplyType.VOICE: (("media_id", True),),
    ReplyType.VIDEO: (("media_id", True), ("title", False), ("description", False)),
    ReplyType.MUSIC: (
        ("title", False),
        ("description", False),
        ("music_url", False),
        ("hq_music_url", False),
        ("thumb_media_id", True),
    ),
    ReplyType.NEWS: (),
    ReplyType.TRANSFER_CUSTOMER_SERVICE: (("kf_account", False),),
}
ARTICLE_FIELDS = ("title", "description", "pic_url", "url")

# WeChat shows one article when answering a follower's message, up to 8 for an event.
MAX_ARTICLES_FOR_MESSAGE = 1
MAX_ARTICLES_FOR_EVENT = 8

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
