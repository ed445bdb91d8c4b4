"""Putting an earlier version of a rule or a lookup table back, as a new change.

A rule is restored by importing its version (the rules file's form) through the rules
importer, with the same validation as any file; a lookup table by storing its entries as
they were through `tables.store`. Either way the restore is itself recorded, so it can be
undone in its turn, and a deleted rule or table comes back with its history.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from autoreply.choices import ChangeKind, ChangeSource
from autoreply.files.rules_import import import_rules
from autoreply.history import lookup_versions, rule_versions
from autoreply.history.authorship import changes_by
from autoreply.lookups import tables
from autoreply.models import Account, LookupTable, LookupVersion, Rule, RuleVersion


class RestoreRefused(ValueError):
    """The version cannot be put back as it is; the message says what to do first."""


@dataclass(frozen=True)
class Restored:
    object: Rule | LookupTable
    changed: bool  # False: it was already as the version has it


def restore_rule(version: RuleVersion) -> Restored:
    """The rule as `version` has it (re-created if deleted). Raises RestoreRefused, or
    the importer's ImportRefused when the version no longer passes validation."""
    name = version.data["name"]
    account = Account.objects.get(pk=version.account_id)
    if account.rules.filter(name=name).exclude(pk=version.rule_id).exists():
        message = _(
            "Another rule of this account is called “%(name)s” now: rename it, then restore."
        )
        raise RestoreRefused(message % {"name": name})
    with transaction.atomic(), changes_by(source=ChangeSource.RESTORE, detail=_detail(version)):
        # Renamed back first, so that the importer (by account and name) updates this rule.
        renamed = Rule.objects.filter(pk=version.rule_id).exclude(name=name).update(name=name)
        report = import_rules({"accounts": [{"slug": account.slug, "rules": [version.data]}]})
        rule = account.rules.get(name=name)
        _continue_history(RuleVersion, version.rule_id, rule.pk)
        rule_versions.record([rule.pk], ChangeKind.CHANGED, ChangeSource.RESTORE)  # a rename
    return Restored(rule, bool(renamed) or report.rules_unchanged == 0)


def restore_lookup(version: LookupVersion) -> Restored:
    """The lookup table's entries, name and description as `version` has them (for a
    deletion: as they were before it). Raises RestoreRefused."""
    others = LookupTable.objects.filter(account_id=version.account_id, name=version.name)
    if others.exclude(pk=version.table_id).exists():
        message = _(
            "Another lookup table of this account is called “%(name)s” now: rename it, "
            "then restore."
        )
        raise RestoreRefused(message % {"name": version.name})
    entries = lookup_versions.entries_at(version)
    with transaction.atomic(), changes_by(source=ChangeSource.RESTORE, detail=_detail(version)):
        table = LookupTable.objects.filter(pk=version.table_id).first()
        table = table or LookupTable(account_id=version.account_id)  # it was deleted
        renamed = (table.name, table.description) != (version.name, version.description)
        table.name, table.description = version.name, version.description
        table.save()
        counts = tables.store(table.account, table.name, entries, replace=True)
        _continue_history(LookupVersion, version.table_id, table.pk)
        entries_changed = bool(counts.added or counts.changed or counts.removed)
        if renamed and not entries_changed:  # `store` recorded nothing: record the rename
            lookup_versions.record(table, {})
    return Restored(table, renamed or entries_changed)


def _detail(version: RuleVersion | LookupVersion) -> str:
    when = timezone.localtime(version.changed_at).strftime("%Y-%m-%d %H:%M:%S")
    return f"#{version.pk} ({when})"


def _continue_history(
    model: type[RuleVersion] | type[LookupVersion], old_id: int, new_id: int
) -> None:
    """A deleted rule or table restored has a new id: its earlier versions follow it."""
    if old_id != new_id:
        field = "rule_id" if model is RuleVersion else "table_id"
        model.objects.filter(**{field: old_id}).update(**{field: new_id})
