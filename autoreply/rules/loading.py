"""Loading one account's enabled rules from the database into a compiled RuleIndex.

Reads plain rows (no model instances: an account may have ten thousand rules) and
compiles every reply field once. A rule whose stored data no longer compiles (edited
outside the admin, say) is logged and left out, never breaking the rest.
"""

import dataclasses
import logging
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from autoreply.models import Article, Keyword, Reply, Rule
from autoreply.rules.conversations import change_of
from autoreply.rules.fields import KEYWORD_FIELDS
from autoreply.rules.matching import KeywordSpec, RuleIndex, RuleSpec, paused
from autoreply.rules.rendering import CompiledReply, RulePayload
from autoreply.rules.schedule import Moment, ScheduleError, Window, compile_window
from autoreply.templating import compile_template
from wechat.replies import ARTICLE_FIELDS, REPLY_KINDS

logger = logging.getLogger(__name__)

# What matching reads of a rule is whatever RuleSpec has: a field added there is loaded
# (or fails loudly if the Rule model lacks it), never left to RuleSpec's default.
SPEC_PARTS = ("keywords", "payload", "window", "context_change")
RULE_COLUMNS = tuple(f.name for f in dataclasses.fields(RuleSpec) if f.name not in SPEC_PARTS)
WINDOW_COLUMNS = ("active_from", "active_until", "schedule")
CHANGE_COLUMNS = ("sets_context", "clears_context")
SHARED_COLUMNS = frozenset({"msg_type", "event", "requires_context", "mode", "reply_mode", "type"})


CHUNK = 1000
"""Rules read at once. The rows of ten thousand read together would outweigh the index
built from them, and the memory a worker's peak takes is not given back."""


def load_index(account_id: int, using: str = "default") -> RuleIndex:
    """Every enabled rule of the account, compiled."""
    enabled = Rule.objects.using(using).filter(account_id=account_id, enabled=True)
    ids = list(enabled.order_by("id").values_list("id", flat=True))
    specs: list[RuleSpec] = []
    for start in range(0, len(ids), CHUNK):
        specs += _specs(enabled.filter(id__in=ids[start : start + CHUNK]), using)
    return RuleIndex(specs)


def _specs(chosen: Any, using: str) -> list[RuleSpec]:
    """The compiled rules of a queryset of them."""
    rules = chosen.values(*RULE_COLUMNS, "reply_mode", *WINDOW_COLUMNS, *CHANGE_COLUMNS)
    keywords = _group(
        Keyword.objects.using(using).filter(rule__in=chosen).values("rule_id", *KEYWORD_FIELDS)
    )
    replies = _group(Reply.objects.using(using).filter(rule__in=chosen).values())
    articles = _group(
        Article.objects.using(using).filter(reply__rule__in=chosen).values(), "reply_id"
    )
    specs = []
    for rule in paused(rules):
        try:
            specs.append(_spec(rule, keywords[rule["id"]], replies[rule["id"]], articles))
        except Exception as exc:  # any rule's bad data leaves that rule out, never the account
            logger.error(
                "rule %s (%s) is skipped: %s: %s", rule["id"], rule["name"], type(exc).__name__, exc
            )
    return specs


def _shared(column: str, value: Any) -> Any:
    """A value most rules repeat (a message type, a match mode) as one object for all of
    them: each row brings its own copy, and ten thousand rules would keep every one."""
    return sys.intern(value) if column in SHARED_COLUMNS else value


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
        _shared("reply_mode", rule["reply_mode"]),
        tuple(compile_reply(r, articles.get(r["id"], [])) for r in replies),
    )
    return RuleSpec(
        **{column: _shared(column, rule[column]) for column in RULE_COLUMNS},
        keywords=tuple(
            KeywordSpec(**{name: _shared(name, k[name]) for name in KEYWORD_FIELDS})
            for k in keywords
        ),
        window=rule_window(*(rule[column] for column in WINDOW_COLUMNS)),
        context_change=change_of(*(rule[column] for column in CHANGE_COLUMNS)),
        payload=payload,
    )


def rule_window(
    active_from: datetime | None, active_until: datetime | None, schedule: Sequence[Any]
) -> Window | None:
    """The rule's compiled time window in DJANGO_TIME_ZONE (None: any time); the admin's
    "active now" asks the same window. Raises ScheduleError for a schedule that does not
    parse (validation keeps those out; a rule written around it is skipped)."""
    return compile_window(active_from, active_until, schedule, timezone.get_default_timezone())


def compile_reply(reply: dict[str, Any], articles: list[dict[str, Any]]) -> CompiledReply:
    """A reply row (and its article rows) with every string field compiled."""
    return CompiledReply(
        _shared("type", reply["type"]),
        tuple(
            (name, compile_template(reply[name])) for name in REPLY_KINDS[reply["type"]].field_names
        ),
        tuple(
            tuple((field.name, compile_template(article[field.name])) for field in ARTICLE_FIELDS)
            for article in articles
        ),
    )


def answers_at(rule: Any, epoch: int) -> bool:
    """Whether a rule (any object with the window's columns) is inside its time at `epoch`:
    the rule list's "active now". A schedule that does not parse answers never, as when
    loading skips the rule."""
    try:
        window = rule_window(*(getattr(rule, column) for column in WINDOW_COLUMNS))
    except ScheduleError:
        return False
    return window is None or window.contains(Moment(epoch))
