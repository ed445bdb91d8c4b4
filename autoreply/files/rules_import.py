"""Reading the rules file into the database: all or nothing, idempotent.

Accounts are upserted by slug, rules by account + name, lookup entries by key. Every
value goes through the models' own validation; the first problems found are reported
naming the account, the rule and the field, and nothing is written. Rules whose content
is unchanged are left alone, so re-importing a file changes nothing; each changed,
created or deleted rule gets a version (autoreply/history).
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from autoreply.choices import ChangeKind, ChangeSource
from autoreply.files import schema
from autoreply.files.rules_export import rule_data
from autoreply.files.schema import RulesFileError
from autoreply.history import lookup_versions, rule_versions
from autoreply.lookups import tables
from autoreply.models import SECRET_FIELDS, Account, Article, Keyword, Reply, Rule
from autoreply.rules.conversation_names import started_names
from autoreply.rules.fields import RULE_COLUMNS, RULE_FIELDS
from autoreply.validation import (
    check_rule_parts,
    conversation_warnings,
    event_warnings,
    keyword_warnings,
    reply_warnings,
)


@dataclass
class Report:
    """What an import did (or, rolled back, would do): rules by name, lookups by table."""

    accounts_created: int = 0
    accounts_updated: int = 0
    created_rules: list[str] = field(default_factory=list)
    changed_rules: list[str] = field(default_factory=list)
    rules_unchanged: int = 0
    deleted_rules: list[str] = field(default_factory=list)
    changed_settings: list[tuple[str, str]] = field(default_factory=list)
    """(slug, field) of each stored account setting the file changes; never the values."""
    lookups: dict[str, tables.Counts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def rules_created(self) -> int:
        return len(self.created_rules)

    @property
    def rules_changed(self) -> int:
        return len(self.changed_rules)

    @property
    def rules_deleted(self) -> int:
        return len(self.deleted_rules)

    def lines(self) -> list[str]:
        return [
            f"accounts: {self.accounts_created} created, {self.accounts_updated} updated",
            f"rules: {self.rules_created} created, {self.rules_changed} changed, "
            f"{self.rules_unchanged} unchanged, {self.rules_deleted} deleted",
            *(f"lookup table {name}: {counts}" for name, counts in self.lookups.items()),
            *(f"warning: {warning}" for warning in self.warnings),
        ]


def import_rules(document: Any, replace: bool = False) -> Report:
    """Import a parsed rules file; raises RulesFileError and writes nothing on any problem."""
    accounts = schema.accounts(document)
    report = Report()
    try:
        with transaction.atomic():
            for data in accounts:
                _import_account(data, replace, report)
    except ValidationError as exc:
        raise RulesFileError(exc.messages) from None
    return report


def _import_account(data: dict[str, Any], replace: bool, report: Report) -> None:
    where = f"account {data['slug']!r}"
    account = Account.objects.filter(slug=data["slug"]).first()
    if account is None:
        missing = [name for name in ("name", "app_id", "token") if name not in data]
        if missing:
            raise schema.problem(where, missing[0], gettext("required for a new account"))
        account = Account(slug=data["slug"])
        report.accounts_created += 1
    else:
        report.accounts_updated += 1
    for name in ("name", "app_id", "encryption_mode", *SECRET_FIELDS):
        if name in data and data[name] != getattr(account, name):
            if account.pk is not None:
                report.changed_settings.append((data["slug"], name))
            setattr(account, name, data[name])
    schema.full_clean(account, where)
    account.save()
    _import_rules(account, data["rules"], replace, report, where)
    for name, entries in data["lookups"].items():
        table_where = f"{where}, lookup table {name!r}"
        normalized = tables.normalized_entries(entries.items(), table_where)
        report.lookups[f"{data['slug']}/{name}"] = tables.store(account, name, normalized, replace)
    if replace:
        dropped = account.lookup_tables.exclude(name__in=list(data["lookups"]))
        for name, count in dropped.annotate(n=Count("entries")).values_list("name", "n"):
            report.lookups[f"{data['slug']}/{name}"] = tables.Counts(removed=count)
        lookup_versions.record_deletion(dropped, ChangeSource.IMPORT)
        dropped.delete()


def _import_rules(
    account: Account, rules: list[dict[str, Any]], replace: bool, report: Report, where: str
) -> None:
    existing = {
        rule.name: rule for rule in account.rules.prefetch_related("keywords", "replies__articles")
    }
    changed: list[tuple[Rule, list[Keyword], list[tuple[Reply, list[Article]]]]] = []
    problems: list[str] = []
    for data in rules:
        rule = existing.get(data["name"])
        if rule is not None and rule_data(rule) == data:
            report.rules_unchanged += 1
            continue
        try:
            changed.append(
                _build_rule(account, rule, data, f"{where}, rule {data['name']!r}", report)
            )
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    _save_recorded(changed, report)
    if replace:
        keep = {data["name"] for data in rules}
        stale = [rule for name, rule in existing.items() if name not in keep]
        report.deleted_rules.extend(rule.name for rule in stale)
        stale_rules = Rule.objects.filter(pk__in=[rule.pk for rule in stale])
        rule_versions.record_deletion(stale_rules, ChangeSource.IMPORT)
        stale_rules.delete()
    started = started_names(account.pk)
    for rule, _, _ in changed:
        warnings = conversation_warnings(rule, started)
        report.warnings.extend(f"{where}, rule {rule.name!r}: {w}" for w in warnings)


def _build_rule(
    account: Account, rule: Rule | None, data: dict[str, Any], where: str, report: Report
) -> tuple[Rule, list[Keyword], list[tuple[Reply, list[Article]]]]:
    rule = rule or Rule(account=account, name=data["name"])
    for column in RULE_FIELDS:
        if not column.part:
            setattr(rule, column.name, column.load(data[column.name]))
    rule.updated_at = timezone.now()
    schema.full_clean(rule, where, exclude=["account"], unique=False)
    report.warnings.extend(f"{where}: {w}" for w in event_warnings(rule))
    keywords = [Keyword(rule=rule, **kw) for kw in data["keywords"]]
    for number, keyword in enumerate(keywords):
        keyword_where = f"{where}, keywords[{number}]"
        schema.full_clean(keyword, keyword_where, exclude=["rule"])
        report.warnings.extend(f"{keyword_where}: {w}" for w in keyword_warnings(keyword))
    replies = []
    for number, reply_data in enumerate(data["replies"]):
        reply_where = f"{where}, replies[{number}]"
        fields = {k: v for k, v in reply_data.items() if k != "articles"}
        reply = Reply(rule=rule, order=number, **fields)
        schema.full_clean(reply, reply_where, exclude=["rule"])
        articles = [
            Article(reply=reply, order=i, **a) for i, a in enumerate(reply_data.get("articles", []))
        ]
        for i, article in enumerate(articles):
            schema.full_clean(article, f"{reply_where}, articles[{i}]", exclude=["reply"])
        replies.append((reply, articles))
        report.warnings.extend(f"{reply_where}: {w}" for w in reply_warnings(reply))
    try:
        check_rule_parts(rule, keywords, [r for r, _ in replies], [len(a) for _, a in replies])
    except ValidationError as exc:
        raise schema.located(exc, where) from None
    return rule, keywords, replies


def _save_recorded(
    changed: list[tuple[Rule, list[Keyword], list[tuple[Reply, list[Article]]]]], report: Report
) -> None:
    """`_save`, with the rules' versions recorded: the stored state of those never
    recorded before, then every changed rule as written."""
    old = [rule.pk for rule, _, _ in changed if rule.pk is not None]
    rule_versions.before_changing(old, ChangeSource.IMPORT)
    _save(changed, report)
    rule_versions.record(old, ChangeKind.CHANGED, ChangeSource.IMPORT)
    new = [rule.pk for rule, _, _ in changed if rule.pk not in old]
    rule_versions.record(new, ChangeKind.CREATED, ChangeSource.IMPORT)


def _save(
    changed: list[tuple[Rule, list[Keyword], list[tuple[Reply, list[Article]]]]], report: Report
) -> None:
    """Write the changed rules in bulk: their keywords and replies are replaced whole."""
    old = [rule for rule, _, _ in changed if rule.pk is not None]
    new = [rule for rule, _, _ in changed if rule.pk is None]
    report.changed_rules.extend(rule.name for rule in old)
    report.created_rules.extend(rule.name for rule in new)
    Keyword.objects.filter(rule__in=old).delete()
    Reply.objects.filter(rule__in=old).delete()
    Rule.objects.bulk_update(old, [*RULE_COLUMNS, "updated_at"], batch_size=1000)
    Rule.objects.bulk_create(new, batch_size=1000)
    for rule, keywords, replies in changed:  # the rules have their pks now
        parts: list[Keyword | Reply] = [*keywords, *(reply for reply, _ in replies)]
        for item in parts:
            item.rule = rule
    Keyword.objects.bulk_create([k for _, ks, _ in changed for k in ks], batch_size=2000)
    all_replies = [pair for _, _, replies in changed for pair in replies]
    Reply.objects.bulk_create([reply for reply, _ in all_replies], batch_size=2000)
    for reply, articles in all_replies:
        for article in articles:
            article.reply = reply
    Article.objects.bulk_create([a for _, arts in all_replies for a in arts], batch_size=2000)
