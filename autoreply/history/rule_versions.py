"""Recording rule versions: the whole rule, in the rules file's form, after each change.

Writers call `before_changing` with the rules they are about to change (a rule that was
never recorded, e.g. from before history or loaded from a fixture, gets its stored state
recorded first, so that its first recorded change can be undone too), then `record` with
what they changed, or `record_deletion` just before deleting. A rule saved unchanged
records nothing.
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from autoreply.choices import ChangeKind, ChangeSource
from autoreply.files.rules_export import rule_data
from autoreply.history.authorship import current
from autoreply.models import Rule, RuleVersion

BATCH = 2000


def before_changing(rule_ids: Iterable[int], source: ChangeSource) -> None:
    """Record the stored state of those of these rules that have no version yet (by no
    one: it is what `source` found)."""
    ids = set(rule_ids)
    known = RuleVersion.objects.filter(rule_id__in=ids).values_list("rule_id", flat=True)
    missing = ids - set(known.distinct())
    if missing:
        _create(_fresh(missing), ChangeKind.BEFORE, source, attributed=False)


def record(rule_ids: Iterable[int], kind: ChangeKind, source: ChangeSource) -> None:
    """A version of each of these rules as stored now, unless it is its latest already."""
    rules = list(_fresh(set(rule_ids)))
    latest = dict(
        RuleVersion.objects.filter(rule_id__in=[rule.pk for rule in rules])
        .order_by("rule_id", "-id")
        .distinct("rule_id")
        .values_list("rule_id", "data")
    )
    changed = [rule for rule in rules if latest.get(rule.pk) != rule_data(rule)]
    _create(changed, kind, source)


def record_deletion(rules: QuerySet[Rule], source: ChangeSource) -> None:
    """A version of each of these rules as they are before being deleted (to undelete)."""
    _create(_fresh(set(rules.values_list("pk", flat=True))), ChangeKind.DELETED, source)


def _fresh(ids: set[int]) -> QuerySet[Rule]:
    """The rules as stored now: a caller's instances may hold stale prefetched parts."""
    return Rule.objects.filter(pk__in=ids).prefetch_related("keywords", "replies__articles")


def _create(
    rules: Iterable[Rule], kind: ChangeKind, source: ChangeSource, attributed: bool = True
) -> None:
    author = current()
    user = author.user if attributed and getattr(author.user, "is_authenticated", False) else None
    versions = [
        RuleVersion(
            account_id=rule.account_id,
            rule_id=rule.pk,
            name=rule.name,
            data=rule_data(rule),
            kind=kind,
            user_id=user.pk if user else None,
            source=(author.source or source) if attributed else source,
            detail=author.detail if attributed else "",
        )
        for rule in rules
    ]
    RuleVersion.objects.bulk_create(versions, batch_size=BATCH)
