"""Loading one account's enabled rules from the database into a compiled RuleIndex.

Reads plain rows (no model instances: an account may have ten thousand rules) and
compiles every reply field once. A rule whose stored data no longer compiles (edited
outside the admin, say) is logged and left out, never breaking the rest.
"""

import logging
from collections import defaultdict
from typing import Any

from autoreply.choices import ARTICLE_FIELDS, REPLY_FIELDS
from autoreply.models import Article, Keyword, Reply, Rule
from autoreply.rules.matching import KeywordSpec, RuleIndex, RuleSpec
from autoreply.rules.rendering import CompiledReply, RulePayload
from autoreply.templating import compile_template

logger = logging.getLogger(__name__)

RULE_COLUMNS = ("id", "name", "priority", "msg_type", "event", "event_key", "cooldown_seconds")


def load_index(account_id: int, using: str = "default") -> RuleIndex:
    """Every enabled rule of the account, compiled."""
    enabled = Rule.objects.using(using).filter(account_id=account_id, enabled=True)
    rules = list(enabled.values(*RULE_COLUMNS, "reply_mode"))
    keywords = _group(
        Keyword.objects.using(using).filter(rule__in=enabled).values("rule_id", "mode", "pattern")
    )
    replies = _group(Reply.objects.using(using).filter(rule__in=enabled).values())
    articles = _group(
        Article.objects.using(using).filter(reply__rule__in=enabled).values(), "reply_id"
    )
    specs = []
    for rule in rules:
        try:
            specs.append(_spec(rule, keywords[rule["id"]], replies[rule["id"]], articles))
        except Exception as exc:  # any rule's bad data leaves that rule out, never the account
            logger.error(
                "rule %s (%s) is skipped: %s: %s", rule["id"], rule["name"], type(exc).__name__, exc
            )
    return RuleIndex(specs)


def _group(rows: Any, key: str = "rule_id") -> defaultdict[int, list[dict[str, Any]]]:
    grouped: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:  # each queryset is ordered by Meta.ordering, so order is kept
        grouped[row[key]].append(row)
    return grouped


def _spec(
    rule: dict[str, Any],
    keywords: list[dict[str, Any]],
    replies: list[dict[str, Any]],
    articles: dict[int, list[dict[str, Any]]],
) -> RuleSpec:
    # Regex keywords are compiled (and a rule whose pattern fails left out) by RuleIndex.
    payload = RulePayload(
        rule["reply_mode"], tuple(compile_reply(r, articles.get(r["id"], [])) for r in replies)
    )
    return RuleSpec(
        **{column: rule[column] for column in RULE_COLUMNS},
        keywords=tuple(KeywordSpec(k["mode"], k["pattern"]) for k in keywords),
        payload=payload,
    )


def compile_reply(reply: dict[str, Any], articles: list[dict[str, Any]]) -> CompiledReply:
    """A reply row (and its article rows) with every string field compiled."""
    return CompiledReply(
        reply["type"],
        tuple((name, compile_template(reply[name])) for name, _ in REPLY_FIELDS[reply["type"]]),
        tuple(
            tuple((name, compile_template(article[name])) for name in ARTICLE_FIELDS)
            for article in articles
        ),
    )
