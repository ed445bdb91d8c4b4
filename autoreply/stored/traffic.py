"""What arrives: followers, the message log and the signed queries already used."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from autoreply.choices import (
    MsgType,
    Status,
)
from autoreply.rules.conversations import NAME_LENGTH
from autoreply.stored.accounts import Account
from autoreply.stored.rules import Rule

MAX_MSG_ID = 2**64 - 1  # WeChat's MsgId is an unsigned 64-bit integer, past bigint


class Follower(models.Model):
    """What we know of one OpenID, kept current by every message and (un)subscribe event."""

    # No foreign key in the database (REFERENCES): see Message. Deleting an account still
    # deletes its followers (Django's CASCADE).
    account = models.ForeignKey(
        Account,
        models.CASCADE,
        db_constraint=False,
        related_name="followers",
        verbose_name=_("account"),
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
    # The conversation a rule put the follower in (rules' sets_context), until when, and
    # the CreateTime of the push that set or ended it: a push that arrives late (an older
    # CreateTime) does not undo what a newer one did.
    context = models.CharField(_("conversation"), max_length=NAME_LENGTH, blank=True, db_default="")
    context_until = models.DateTimeField(_("conversation until"), null=True, blank=True)
    context_since = models.BigIntegerField(editable=False, db_default=0)

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

    # No index of its own: every index below starts with the account. No foreign keys in
    # the database for the account and the rule: a push is stored whatever was deleted
    # meanwhile. Workers answer with the rules they have loaded until their next refresh,
    # so a rule deleted in the admin still answers for a moment, and its pushes' rows,
    # refused as they committed, had failed their whole batch into the spool, from which
    # they could never be replayed. Each check also locked the account's and the rule's
    # rows for every push: a tenth of PostgreSQL's CPU per push (bench/README), and a
    # MultiXact on the account's row whenever two commits (of any node) overlapped.
    # Deleting still cascades (Django's CASCADE and SET_NULL); a row a push stored
    # meanwhile keeps the id, read as no rule.
    account = models.ForeignKey(
        Account,
        models.CASCADE,
        db_constraint=False,
        related_name="messages",
        db_index=False,
        verbose_name=_("account"),
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
        Rule,
        models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        db_index=False,
        verbose_name=_("rule"),
    )
    reply = models.TextField(
        _("reply"), blank=True, help_text=_("The reply XML as sent, before encryption.")
    )
    error = models.TextField(_("error"), blank=True)
    handling_ms = models.FloatField(_("handling time (ms)"), null=True)
    context = models.CharField(
        _("conversation"),
        max_length=NAME_LENGTH,
        blank=True,
        db_default="",
        help_text=_("The follower's conversation when the message arrived."),
    )
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

    @property
    def answering_rule(self) -> Rule | None:
        """The rule that answered: None when none did, or when it has been deleted since
        (a push stored while workers still answered with it keeps its id)."""
        try:
            return self.rule
        except Rule.DoesNotExist:
            return None


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
