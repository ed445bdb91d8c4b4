"""What autoreply stores: accounts, their rules and replies, the message log, followers.

Validation lives in `clean()` (via autoreply.validation) so the admin and the rules-file
importer refuse the same things with the same messages.
"""

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from autoreply import validation
from autoreply.choices import (
    EncryptionMode,
    KeywordMode,
    MediaType,
    MsgType,
    OutboundReason,
    OutboundStatus,
    ReplyMode,
    ReplyType,
    Status,
)
from autoreply.text import normalize

MAX_MSG_ID = 2**64 - 1  # WeChat's MsgId is an unsigned 64-bit integer, past bigint
# Account secrets: exported only --with-secrets, kept when an import omits one, masked.
SECRET_FIELDS = ("token", "encoding_aes_key", "previous_encoding_aes_key", "app_secret")


class Account(models.Model):
    """One WeChat Official Account, answered at /wechat/<slug>/."""

    slug = models.SlugField(_("slug"), unique=True, help_text=_("The webhook is /wechat/<slug>/."))
    name = models.CharField(_("name"), max_length=100)
    app_id = models.CharField(
        _("AppID"),
        max_length=18,
        validators=[
            RegexValidator(r"^wx[0-9A-Za-z]{16}$", _("An AppID is wx + 16 letters/digits."))
        ],
    )
    token = models.CharField(
        _("Token"),
        max_length=32,
        validators=[RegexValidator(r"^[A-Za-z0-9]{3,32}$", _("3 to 32 letters or digits."))],
        help_text=_("The Token set on the WeChat platform's server configuration page."),
    )
    encoding_aes_key = models.CharField(
        _("EncodingAESKey"), max_length=43, blank=True, validators=[validation.validate_aes_key]
    )
    previous_encoding_aes_key = models.CharField(
        _("previous EncodingAESKey"),
        max_length=43,
        blank=True,
        validators=[validation.validate_aes_key],
        help_text=_("Tried when the current key fails, while WeChat switches over to a new key."),
    )
    encryption_mode = models.CharField(
        _("message encryption mode"),
        max_length=16,
        choices=EncryptionMode.choices,
        default=EncryptionMode.COMPATIBLE,
    )
    app_secret = models.CharField(
        "AppSecret",
        max_length=64,
        blank=True,
        help_text="开发者密码: only for the outbound API (reply all, late answers, media).",
    )
    original_id = models.CharField(
        _("original ID"), max_length=64, blank=True, help_text=_("gh_..., learned from ToUserName.")
    )
    # Bumped by database triggers whenever the account, its rules or its lookup tables
    # change; every worker compares it to decide when to rebuild its in-memory index.
    revision = models.BigIntegerField(default=0, editable=False)
    lookups_revision = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name, verbose_name_plural = _("account"), _("accounts")

    def __str__(self) -> str:
        return self.name or self.slug

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An UPDATE naming the unique `slug` locks the row FOR UPDATE (the BEFORE UPDATE
        # revision trigger locks by the columns written, not by the values changed), and
        # that blocks every webhook insert for the account until commit: name it only
        # when it changed.
        if kwargs.get("update_fields") is None and self.slug == getattr(self, "_stored_slug", 0):
            fields = self._meta.concrete_fields
            kwargs["update_fields"] = [f.name for f in fields if f.name not in ("id", "slug")]
        super().save(*args, **kwargs)
        self._stored_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        account = super().from_db(db, field_names, values)
        account._stored_slug = account.__dict__.get("slug", "")  # no query for a deferred slug
        return account

    def clean(self) -> None:
        validation.check_account(self)


class Rule(models.Model):
    """When to answer (type, event, keywords) and with what (replies)."""

    account = models.ForeignKey(
        Account, models.CASCADE, related_name="rules", verbose_name=_("account")
    )
    name = models.CharField(_("rule name"), max_length=100)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher is tried first."))
    enabled = models.BooleanField(_("enabled"), default=True)
    msg_type = models.CharField(
        _("message type"), max_length=16, choices=MsgType.choices, default=MsgType.ANY
    )
    event = models.CharField(
        _("event"), max_length=64, blank=True, help_text=_("For event rules: subscribe, …")
    )
    event_key = models.CharField(
        _("event key"), max_length=1024, blank=True, help_text=_("Empty: any EventKey.")
    )
    reply_mode = models.CharField(
        _("reply mode"), max_length=8, choices=ReplyMode.choices, default=ReplyMode.RANDOM
    )
    cooldown_seconds = models.PositiveIntegerField(
        _("cooldown (seconds)"),
        default=0,
        help_text=_("Do not answer the same follower again with this rule for this long."),
    )
    active_from = models.DateTimeField(_("active from"), null=True, blank=True)
    active_until = models.DateTimeField(_("active until"), null=True, blank=True)
    schedule = models.JSONField(_("weekly schedule"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["account", "-priority", "name"]
        verbose_name, verbose_name_plural = _("rule"), _("rules")
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="rule_name_unique_per_account")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validation.check_rule(self)
        validation.check_reply_all(self)


class Keyword(models.Model):
    """One way a follower's text can select its rule; any one is enough."""

    rule = models.ForeignKey(Rule, models.CASCADE, related_name="keywords", verbose_name=_("rule"))
    mode = models.CharField(
        _("match mode"), max_length=8, choices=KeywordMode.choices, default=KeywordMode.CONTAINS
    )
    pattern = models.CharField(_("keyword"), max_length=500)

    class Meta:
        ordering = ["id"]
        verbose_name, verbose_name_plural = _("keyword"), _("keywords")

    def __str__(self) -> str:
        return f"{self.get_mode_display()}: {self.pattern}"

    def clean(self) -> None:
        validation.check_keyword(self)


class Reply(models.Model):
    """One passive reply; which fields matter depends on its type (wechat.replies.REPLY_KINDS)."""

    rule = models.ForeignKey(Rule, models.CASCADE, related_name="replies", verbose_name=_("rule"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    type = models.CharField(
        _("reply type"), max_length=32, choices=ReplyType.choices, default=ReplyType.TEXT
    )
    content = models.TextField(_("content"), blank=True)
    media_id = models.CharField(_("media ID"), max_length=255, blank=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    music_url = models.CharField(_("music URL"), max_length=1024, blank=True)
    hq_music_url = models.CharField(_("HQ music URL"), max_length=1024, blank=True)
    thumb_media_id = models.CharField(_("thumb media ID"), max_length=255, blank=True)
    kf_account = models.CharField(_("KfAccount"), max_length=255, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name, verbose_name_plural = _("reply"), _("replies")

    def __str__(self) -> str:
        return _("%(type)s reply") % {"type": self.get_type_display()}

    def clean(self) -> None:
        validation.check_reply(self)


class Article(models.Model):
    """One item of a news reply."""

    reply = models.ForeignKey(
        Reply, models.CASCADE, related_name="articles", verbose_name=_("reply")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    pic_url = models.CharField(_("picture URL"), max_length=1024, blank=True)
    url = models.CharField(_("URL"), max_length=1024, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name, verbose_name_plural = _("news article"), _("news articles")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        validation.check_article(self)


class Follower(models.Model):
    """What we know of one OpenID, kept current by every message and (un)subscribe event."""

    account = models.ForeignKey(
        Account, models.CASCADE, related_name="followers", verbose_name=_("account")
    )
    openid = models.CharField(_("OpenID"), max_length=64)
    subscribed = models.BooleanField(
        _("following"), null=True, help_text=_("Unknown until we hear from them.")
    )
    subscribed_at = models.DateTimeField(_("followed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unfollowed at"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"), db_default=Now())
    last_seen = models.DateTimeField(_("last seen"), db_default=Now())
    message_count = models.PositiveIntegerField(_("messages"), default=0)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name, verbose_name_plural = _("follower"), _("followers")
        # No index on last_seen: every message updates it, and an unindexed update can stay
        # on its page (HOT), which keeps the webhook's one statement cheap.
        constraints = [
            models.UniqueConstraint(
                fields=["account", "openid"], name="follower_unique_per_account"
            )
        ]

    def __str__(self) -> str:
        return self.openid


class CreateDayField(models.IntegerField):  # type: ignore[type-arg]
    """The UTC day (days since 1970) of a message's CreateTime, filled in from it on every
    save: the message table's partition key (autoreply/retention.py)."""

    def pre_save(self, model_instance: models.Model, add: bool) -> int:
        day = int(model_instance.create_time) // 86400  # type: ignore[attr-defined]
        setattr(model_instance, self.attname, day)
        return day


class Message(models.Model):
    """One inbound message or event, stored once however often WeChat retries it."""

    # No index of its own: every index below starts with the account.
    account = models.ForeignKey(
        Account, models.CASCADE, related_name="messages", db_index=False, verbose_name=_("account")
    )
    dedup_key = models.UUIDField(editable=False)
    msg_id = models.DecimalField(
        _("MsgId"),
        max_digits=20,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MSG_ID)],
    )
    from_user = models.CharField(_("FromUserName"), max_length=64)
    to_user = models.CharField(_("ToUserName"), max_length=64)
    create_time = models.BigIntegerField(_("CreateTime"))
    create_day = CreateDayField(editable=False)
    msg_type = models.CharField(_("MsgType"), max_length=64)
    event = models.CharField(_("Event"), max_length=64, blank=True)
    event_key = models.TextField(_("EventKey"), blank=True)
    text = models.TextField(
        _("text"), blank=True, help_text=_("Content, or a voice message's Recognition.")
    )
    fields = models.JSONField(
        _("fields"), default=dict, help_text=_("Every parsed field by its XML tag.")
    )
    raw_xml = models.TextField(
        _("raw XML"), help_text=_("As received (decrypted, when encrypted).")
    )
    received_at = models.DateTimeField(_("received at"), db_default=Now())
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    rule = models.ForeignKey(
        Rule, models.SET_NULL, null=True, blank=True, db_index=False, verbose_name=_("rule")
    )
    reply = models.TextField(
        _("reply"), blank=True, help_text=_("The reply XML as sent, before encryption.")
    )
    error = models.TextField(_("error"), blank=True)
    handling_ms = models.FloatField(_("handling time (ms)"), null=True)
    retries = models.PositiveIntegerField(
        _("retries"), default=0, help_text=_("Repeat deliveries by WeChat.")
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name, verbose_name_plural = _("message"), _("messages")
        constraints = [
            # The table is partitioned by create_day (autoreply/retention.py), and a
            # partitioned table's unique keys must hold its partition key. A retry repeats
            # the CreateTime, so the wider key still catches every retry.
            models.UniqueConstraint(
                fields=["account", "dedup_key", "create_day"], name="message_dedup"
            ),
            models.CheckConstraint(
                condition=models.Q(msg_id__gte=0, msg_id__lte=MAX_MSG_ID), name="msg_id_uint64"
            ),
        ]
        # Each index costs every webhook insert, so only what the log, the dashboard and
        # cooldowns need: type and event filters scan the recent rows of the account.
        indexes = [
            models.Index(fields=["account", "-received_at"], name="message_recent"),
            models.Index(fields=["account", "from_user", "-received_at"], name="message_by_sender"),
            models.Index(
                fields=["rule", "-received_at"],
                name="message_by_rule",
                condition=models.Q(rule__isnull=False),
            ),
            models.Index(
                fields=["account", "-received_at"],
                name="message_unanswered",
                condition=models.Q(status__in=["no_rule", "deadline", "error"]),
            ),
        ]

    def __str__(self) -> str:
        return _("%(type)s from %(sender)s at %(time)s") % {
            "type": dict(MsgType.choices).get(self.msg_type, self.msg_type),
            "sender": self.from_user,
            "time": self.create_time,
        }


class LookupTable(models.Model):
    """An account's named key -> value table, read by the `lookup` template filter."""

    account = models.ForeignKey(
        Account, models.CASCADE, related_name="lookup_tables", verbose_name=_("account")
    )
    name = models.CharField(
        _("table name"),
        max_length=64,
        validators=[RegexValidator(r"^[\w-]+$", _("Letters, digits, _ and - only."))],
        help_text=_('Used in templates as {{ match.1|lookup:"name" }}.'),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["account", "name"]
        verbose_name, verbose_name_plural = _("lookup table"), _("lookup tables")
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="lookup_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class LookupEntry(models.Model):
    """One key of a lookup table; keys compare like exact keywords (NFKC, case-folded)."""

    table = models.ForeignKey(
        LookupTable, models.CASCADE, related_name="entries", verbose_name=_("lookup table")
    )
    key = models.CharField(_("key"), max_length=255)
    normalized_key = models.CharField(_("normalized key"), max_length=255, editable=False)
    value = models.TextField(_("value"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["table", "normalized_key"]
        verbose_name, verbose_name_plural = _("lookup entry"), _("lookup entries")
        constraints = [
            models.UniqueConstraint(fields=["table", "normalized_key"], name="lookup_key_unique")
        ]

    def __str__(self) -> str:
        return self.key

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.normalized_key = normalize(self.key)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        validation.check_lookup_entry(self)


class SignedQuery(models.Model):
    """A signed webhook query already accepted, and the body it came with.

    The database decides, across nodes, that one (timestamp, nonce, signature) carries one
    body: see autoreply/webhook/replays.py. Rows outlive the timestamp window only until
    they are pruned, so the table stays as small as a few minutes of pushes.
    """

    # One index only (the key), since every push inserts a row.
    pk = models.CompositePrimaryKey("account", "query_hash")
    account = models.ForeignKey(
        Account, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    query_hash = models.UUIDField()
    body_hash = models.UUIDField()
    seen_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return f"query {self.query_hash} of account {self.account_id}"


# --- The outbound API: tokens, customer-service sends, media, the worker (autoreply/outbound)


class AccessToken(models.Model):
    """An account's current access token, shared by every process (autoreply.outbound.tokens)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="access_token"
    )
    token = models.CharField(max_length=512, blank=True)
    expires_at = models.DateTimeField()
    fetched_at = models.DateTimeField(null=True)
    fetches = models.PositiveIntegerField(default=0, help_text="Tokens fetched from WeChat.")

    def __str__(self) -> str:
        return f"access token of {self.account_id}, until {self.expires_at}"  # never the token


class OutboundMessage(models.Model):
    """One customer-service message, sent by the worker; shown in the log beside its cause."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="outbound")
    # No constraint in the database: PostgreSQL cannot enforce a foreign key to the
    # partitioned message table by `id` alone; retention ages sends out by time instead.
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound",
        db_constraint=False,
    )
    openid = models.CharField(_("OpenID"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    reason = models.CharField(_("reason"), max_length=16, choices=OutboundReason.choices)
    msgtype = models.CharField(_("type"), max_length=16)
    payload = models.JSONField(help_text=_("The JSON sent to WeChat."))
    status = models.CharField(
        _("status"), max_length=8, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    errcode = models.IntegerField("errcode", null=True, blank=True)
    errmsg = models.CharField("errmsg", max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("customer-service message")
        indexes = [
            models.Index(fields=["message"], name="outbound_by_message"),
            models.Index(fields=["created_at"], name="outbound_by_time"),  # for retention
        ]

    def __str__(self) -> str:
        return f"{self.msgtype} to {self.openid} ({self.status})"


class Media(models.Model):
    """Permanent material uploaded to WeChat, with our own copy of the file."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    type = models.CharField(_("type"), max_length=8, choices=MediaType.choices)
    file = models.FileField(_("file"), upload_to="media/%Y/%m/")
    title = models.CharField(_("title"), max_length=64, blank=True)
    introduction = models.CharField(_("introduction"), max_length=255, blank=True)
    media_id = models.CharField(_("media ID"), max_length=128, unique=True)
    url = models.CharField(_("URL"), max_length=1024, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["account", "-uploaded_at"]
        verbose_name = _("media")
        verbose_name_plural = _("media library")

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]


class WorkerHeartbeat(models.Model):
    """When each background worker (hostname:pid) last said it was alive."""

    worker = models.CharField(max_length=128, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at}"
