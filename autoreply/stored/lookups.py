"""Lookup tables: the account's data that templates answer from."""

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from autoreply import validation
from autoreply.stored.accounts import Account
from autoreply.text import normalize

DUPLICATE_KEY = _(
    "The table already has the key “%(key)s” (keys compare like exact keywords: "
    "upper and lower case, full- and half-width are the same)."
)


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
        # The form has no normalized_key, so Django skips the unique constraint on it:
        # asked here, a key the table has already is an error on the key, not a crash.
        key = normalize(self.key)
        same = LookupEntry.objects.filter(table_id=self.table_id, normalized_key=key)
        if self.table_id is not None and same.exclude(pk=self.pk).exists():
            raise validation.error("key", DUPLICATE_KEY % {"key": self.key}, "duplicate_key")
