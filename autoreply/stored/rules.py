"""Rules, their keywords, replies and news articles: what operators edit."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from autoreply import validation
from autoreply.choices import (
    KeywordMode,
    MsgType,
    ReplyMode,
    ReplyType,
)
from autoreply.rules.conversations import NAME_LENGTH
from autoreply.stored.accounts import Account


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
    requires_context = models.CharField(
        _("only in the conversation"),
        max_length=NAME_LENGTH,
        blank=True,
        default="",
        help_text=_(
            "Answer only a follower who is in this conversation (started by another rule); "
            "empty: answer everyone."
        ),
    )
    sets_context = models.JSONField(
        _("starts the conversation"),
        null=True,
        blank=True,
        default=None,
        help_text=_(
            "When this rule answers, the follower is in this conversation for so many seconds "
            "(replacing any other), so that rules only in it answer their next messages."
        ),
    )
    clears_context = models.BooleanField(
        _("ends the conversation"),
        default=False,
        help_text=_("When this rule answers, the follower's conversation ends."),
    )
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
        validation.check_conversation(self)
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
