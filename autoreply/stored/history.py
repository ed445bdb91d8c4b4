"""Earlier versions of rules and lookup tables: who changed what, when, and from where
(recorded by autoreply/history, never by the webhook)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from autoreply.choices import ChangeKind, ChangeSource
from autoreply.stored.accounts import Account
from autoreply.stored.lookups import LookupTable
from autoreply.stored.rules import Rule


class Version(models.Model):
    """What every recorded change says: the account, the kind, who, where from, when."""

    account = models.ForeignKey(
        Account, models.CASCADE, related_name="+", verbose_name=_("account")
    )
    kind = models.CharField(_("change"), max_length=8, choices=ChangeKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    source = models.CharField(_("source"), max_length=8, choices=ChangeSource.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    changed_at = models.DateTimeField(_("changed at"), db_default=Now())

    class Meta:
        abstract = True
        ordering = ["-id"]


class RuleVersion(Version):
    """A rule with its keywords, replies and articles as it was after one change, in the
    rules file's form, so that restoring it is importing it (autoreply/history/restore.py)."""

    # The id outlives the rule (no constraint), so a deleted rule's versions stay its own.
    rule = models.ForeignKey(
        Rule,
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the index below starts with it
        related_name="versions",
        verbose_name=_("rule"),
    )
    name = models.CharField(_("rule name"), max_length=100)
    data = models.JSONField(_("the rule"))

    class Meta(Version.Meta):
        verbose_name, verbose_name_plural = _("rule version"), _("rule history")
        indexes = [models.Index(fields=["rule", "-id"], name="rule_versions")]

    def __str__(self) -> str:
        return _("“%(name)s”, version %(number)d") % {"name": self.name, "number": self.pk}


class LookupVersion(Version):
    """One change to a lookup table: the entries it added, changed and removed, each as
    {normalized key: [[key, value] before or null, [key, value] after or null]}. A table
    of 100,000 keys that a sync changes by ten costs ten entries, not a copy."""

    table = models.ForeignKey(
        LookupTable,
        models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the index below starts with it
        related_name="versions",
        verbose_name=_("lookup table"),
    )
    name = models.CharField(_("table name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    changes = models.JSONField(_("changes by key"), default=dict)
    added = models.PositiveIntegerField(_("entries added"), default=0)
    changed = models.PositiveIntegerField(_("entries changed"), default=0)
    removed = models.PositiveIntegerField(_("entries removed"), default=0)

    class Meta(Version.Meta):
        verbose_name, verbose_name_plural = _("lookup table version"), _("lookup table history")
        indexes = [models.Index(fields=["table", "-id"], name="lookup_versions")]

    def __str__(self) -> str:
        return _("“%(name)s”, version %(number)d") % {"name": self.name, "number": self.pk}
