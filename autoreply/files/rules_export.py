"""Writing accounts, rules and lookup tables as the rules file (see DESIGN, "Rules file").

Deterministic: the same database always exports the same bytes, so export -> import ->
export is byte-identical and files diff cleanly under version control.
"""

import json
from typing import Any

from autoreply.choices import ARTICLE_FIELDS, REPLY_FIELDS, ReplyType
from autoreply.models import Account, LookupEntry, Rule

SECRETS = ("token", "encoding_aes_key", "previous_encoding_aes_key", "app_secret")
RULE_FIELDS = (
    "name", "priority", "enabled", "msg_type", "event", "event_key",
)  # fmt: skip


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
        data.update((name, getattr(account, name)) for name in SECRETS)
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
    data: dict[str, Any] = {name: getattr(rule, name) for name in RULE_FIELDS}
    data["keywords"] = [{"mode": k.mode, "pattern": k.pattern} for k in rule.keywords.all()]
    data["reply_mode"] = rule.reply_mode
    data["cooldown_seconds"] = rule.cooldown_seconds
    data["replies"] = [reply_data(reply) for reply in rule.replies.all()]
    return data


def reply_data(reply: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": reply.type}
    data.update((name, getattr(reply, name)) for name, _ in REPLY_FIELDS[reply.type])
    if reply.type == ReplyType.NEWS:
        data["articles"] = [
            {name: getattr(article, name) for name in ARTICLE_FIELDS}
            for article in reply.articles.all()
        ]
    return data
