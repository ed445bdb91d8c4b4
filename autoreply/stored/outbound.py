"""The outbound half: access tokens, messages sent through WeChat's API, the media library."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from autoreply.choices import (
    MediaType,
    OutboundReason,
    OutboundStatus,
)
from autoreply.stored.accounts import Account
from autoreply.stored.traffic import Message


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
        verbose_name_plural = _("customer-service messages")
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
