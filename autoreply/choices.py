"""The closed vocabularies of rules, replies and the message log."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wechat.replies import REPLY_KINDS


class EncryptionMode(models.TextChoices):
    """As on the WeChat platform's server configuration page."""

    PLAIN = "plain", _("plain (明文模式)")
    COMPATIBLE = "compatible", _("compatible (兼容模式)")
    SAFE = "safe", _("safe (安全模式): encrypted pushes only")


class MsgType(models.TextChoices):
    ANY = "any", _("any follower message (never an event)")
    TEXT = "text", _("text")
    IMAGE = "image", _("image")
    VOICE = "voice", _("voice")
    VIDEO = "video", _("video")
    SHORTVIDEO = "shortvideo", _("short video")
    LOCATION = "location", _("location")
    LINK = "link", _("link")
    EVENT = "event", _("event")


# Message types whose text keywords are matched against (voice: its Recognition).
TEXT_BEARING = frozenset({MsgType.ANY, MsgType.TEXT, MsgType.VOICE})


class KeywordMode(models.TextChoices):
    EXACT = "exact", _("exact (全匹配)")
    CONTAINS = "contains", _("contains (半匹配)")
    REGEX = "regex", _("regular expression")


class ReplyMode(models.TextChoices):
    RANDOM = "random", _("one at random")
    FIRST = "first", _("always the first")
    ALL = "all", _("all (回复全部)")  # the first passively, the rest as customer-service messages


# Derived from the one declaration of reply types (wechat.replies.REPLY_KINDS):
# ReplyType.TEXT == "text", ReplyType.TRANSFER_CUSTOMER_SERVICE == "transfer_customer_service".
# Their labels are translated here: wechat/ marks them for makemessages with a no-op.
ReplyType = models.TextChoices(  # type: ignore[call-overload]  # the functional API, labelled
    "ReplyType", [(name.upper(), (name, _(kind.label))) for name, kind in REPLY_KINDS.items()]
)

# WeChat's clients refuse longer text replies in practice.
MAX_TEXT_BYTES = 2047


class Status(models.TextChoices):
    """How a message was answered."""

    PENDING = "pending", _("being answered")
    REPLY = "reply", _("answered by a rule")
    SILENCE = "silence", _("silence (a rule without replies)")
    NO_RULE = "no_rule", _("no rule matched")
    DEADLINE = "deadline", _("past the deadline")
    ERROR = "error", _("error")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class OutboundReason(models.TextChoices):
    REPLY_ALL = "reply_all", _("reply all (回复全部)")
    LATE = "late", _("answer past the deadline")
    MANUAL = "manual", _("sent by hand")


class MediaType(models.TextChoices):
    IMAGE = "image", _("image")
    VOICE = "voice", _("voice")
    VIDEO = "video", _("video")
    THUMB = "thumb", _("thumbnail")


class ChangeKind(models.TextChoices):
    """What a recorded version of a rule or a lookup table was (autoreply/history)."""

    BEFORE = "before", _("as found before its first recorded change")
    CREATED = "created", _("added")
    CHANGED = "changed", _("edited")
    DELETED = "deleted", _("deleted")


class ChangeSource(models.TextChoices):
    """Where a recorded change came from."""

    ADMIN = "admin", _("the admin")
    IMPORT = "import", _("an import")
    COMMAND = "command", _("a command")
    SYNC = "sync", _("a sync from its source")
    RESTORE = "restore", _("a restore")
