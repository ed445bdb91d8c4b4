"""Accounts: one Official Account each, with its secrets."""

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from autoreply import validation
from autoreply.choices import (
    EncryptionMode,
)

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
    # Who besides superusers sees and edits the account (autoreply/admin/scoping.py).
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="autoreply_accounts",
        limit_choices_to={"is_staff": True},
        verbose_name=_("operators"),
        help_text=_(
            "Staff users who see and edit this account's rules, messages, followers, lookup "
            "tables and media, and nothing of other accounts. Superusers see every account."
        ),
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
