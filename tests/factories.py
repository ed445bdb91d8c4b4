"""Factories for models (and only models): rules with keywords and replies in one call."""

from typing import Any

from autoreply.models import Account, Article, Keyword, Reply, Rule

DEMO_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def account(slug: str = "acme", **fields: Any) -> Account:
    defaults = {
        "name": slug.title(),
        "app_id": "wx2c2769f8efd9abc2",
        "token": "spamtest",
        "encoding_aes_key": DEMO_KEY,
        "encryption_mode": "compatible",
    }
    return Account.objects.create(slug=slug, **{**defaults, **fields})


def rule(
    account: Account,
    name: str,
    *,
    keywords: tuple[tuple[str, str], ...] = (),
    replies: tuple[dict[str, Any], ...] = (),
    **fields: Any,
) -> Rule:
    """A rule; `keywords` as (mode, pattern) pairs, `replies` as rules-file dicts, or a
    plain string for a text reply."""
    created = Rule.objects.create(account=account, name=name, **fields)
    for mode, pattern in keywords:
        Keyword.objects.create(rule=created, mode=mode, pattern=pattern)
    for order, data in enumerate(replies):
        data = {"type": "text", "content": data} if isinstance(data, str) else dict(data)
        articles = data.pop("articles", [])
        reply = Reply.objects.create(rule=created, order=order, **data)
        for number, article in enumerate(articles):
            Article.objects.create(reply=reply, order=number, **article)
    return created


def text_rule(
    account: Account, name: str, answer: str, *keywords: tuple[str, str], **fields: Any
) -> Rule:
    return rule(account, name, keywords=keywords, replies=(answer,), **fields)
