"""Duplicating a rule with its keywords, replies and articles, for operators who want a
variant to edit. Copies start disabled so they never answer before they are edited."""

from django.db import transaction
from django.utils.translation import gettext as _

from autoreply.models import Rule

MAX_NAME = Rule._meta.get_field("name").max_length or 100


@transaction.atomic
def duplicate_rule(rule: Rule) -> Rule:
    """A disabled copy named "<name> (copy)", "(copy 2)"... with copies of every part."""
    keywords = list(rule.keywords.all())
    replies = [(reply, list(reply.articles.all())) for reply in rule.replies.all()]
    rule.pk = rule.id = None
    rule._state.adding = True
    rule.name, rule.enabled = _free_name(rule), False
    rule.save()
    for keyword in keywords:
        keyword.pk = None
        keyword.rule = rule
        keyword.save()
    for reply, articles in replies:
        reply.pk = None
        reply.rule = rule
        reply.save()
        for article in articles:
            article.pk = None
            article.reply = reply
            article.save()
    return rule


def _free_name(rule: Rule) -> str:
    taken = set(Rule.objects.filter(account_id=rule.account_id).values_list("name", flat=True))
    for number in range(1, 1000):
        suffix = _(" (copy)") if number == 1 else _(" (copy %(number)d)") % {"number": number}
        name = rule.name[: MAX_NAME - len(suffix)] + suffix
        if name not in taken:
            return name
    raise ValueError(f"rule {rule.name!r} has been copied too often; rename some copies")
