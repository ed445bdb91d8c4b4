"""Writing accounts, rules and lookup tables as the rules file (see DESIGN, "Rules file").

Deterministic: the same database always exports the same bytes, so export -> import ->
export is byte-identical and files diff cleanly under version control.
"""

import json
from typing import Any

from autoreply.models import SECRET_FIELDS, Account, LookupEntry, Rule
from autoreply.rules.fields import ARTICLE_FIELD_NAMES, KEYWORD_FIELDS, RULE_FIELDS
from wechat.replies import REPLY_KINDS


def export_rules(slugs: list[str] | None = None, with_secrets: bool = False) -> str:
    """The rules file for the named accounts (all when None), as JSON text."""
    accounts = Account.objects.order_by("slug")
    if slugs:
        accounts = accounts.filter(slug__in=slugs)
    document = {"accounts": [account_data(a, with_secrets) for a in accounts]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def account_data(account: Account, with_secrets: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": account.slug, "name": account.name, "app_id": account.app_id}
    if with_secrets:
        data.update((name, getattr(account, name)) for name in SECRET_FIELDS)
    data["encryption_mode"] = account.encryption_mode
    data["lookups"] = lookups_data(account)
    rules = (
        Rule.objects.filter(account=account)
        .order_by("-priority", "name")
        .prefetch_related("keywords", "replies__articles")
    )
    data["rules"] = [rule_data(rule) for rule in rules]
    return data


def lookups_data(account: Account) -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {
        name: {} for name in account.lookup_tables.order_by("name").values_list("name", flat=True)
    }
    entries = LookupEntry.objects.filter(table__account=account).order_by("table__name", "key")
    for table, key, value in entries.values_list("table__name", "key", "value"):
        tables[table][key] = value
    return tables


def rule_data(rule: Rule) -> dict[str, Any]:
    """The rule as the rules file has it: every declared field, in the declared order."""
    parts = {"keywords": _keywords_data, "replies": _replies_data}
    return {
        field.name: parts[field.name](rule) if field.part else field.dump(getattr(rule, field.name))
        for field in RULE_FIELDS
    }


def _keywords_data(rule: Rule) -> list[dict[str, Any]]:
    return [{name: getattr(k, name) for name in KEYWORD_FIELDS} for k in rule.keywords.all()]


def _replies_data(rule: Rule) -> list[dict[str, Any]]:
    return [reply_data(reply) for reply in rule.replies.all()]


def reply_data(reply: Any) -> dict[str, Any]:
    kind = REPLY_KINDS[reply.type]
    data: dict[str, Any] = {"type": reply.type}
    data.update((name, getattr(reply, name)) for name in kind.field_names)
    if kind.articles:
        data["articles"] = [
            {name: getattr(article, name) for name in ARTICLE_FIELD_NAMES}
            for article in reply.articles.all()
        ]
    return data
