"""The dashboard's figures for one account over a period: aggregated in SQL, lists bounded.

Every query filters on the account and a `received_at` range, so the planner can walk the
message indexes (`message_recent`; `message_unanswered` for unmatched texts) and read only
the period's rows, however long the log. Three queries, whatever the data.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Func, Max, Min, QuerySet, TextField
from django.db.models.functions import TruncDate
from django.utils import timezone

from autoreply.choices import MsgType, Status
from autoreply.models import Message
from autoreply.text import normalize

PERIOD_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
TOP_RULES = 10
TOP_UNMATCHED = 20
# SQL's grouping can split what `normalize` joins (casefold vs lower: Straße, STRASSE), so
# fetch more groups than shown and merge them in Python by the exact normalisation.
MERGE_HEADROOM = 3
ANSWERED = frozenset({Status.REPLY.value, Status.SILENCE.value})


@dataclass(frozen=True)
class Period:
    """Whole local days in the project's TIME_ZONE, `first` to `last` inclusive."""

    first: dt.date
    last: dt.date
    tz: dt.tzinfo

    @property
    def days(self) -> list[dt.date]:
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=offset) for offset in range(count)]

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        """Local midnight after the last day (exclusive)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)


@dataclass(frozen=True)
class StatusShare:
    status: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class RuleHits:
    rule_id: int
    name: str
    hits: int
    last: dt.datetime


@dataclass(frozen=True)
class UnmatchedText:
    """A question no rule answers: one sample of its spellings, how often, and when last."""

    text: str
    count: int
    last: dt.datetime


@dataclass(frozen=True)
class Figures:
    period: Period
    per_day: list[tuple[dt.date, int]]
    statuses: list[StatusShare]
    top_rules: list[RuleHits]
    unmatched: list[UnmatchedText]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.per_day)

    @property
    def answered(self) -> int:
        return sum(share.count for share in self.statuses if share.status in ANSWERED)

    @property
    def answered_percent(self) -> float:
        return percent(self.answered, self.total)

    @property
    def per_day_average(self) -> float:
        return round(self.total / len(self.per_day), 1) if self.per_day else 0.0


def percent(part: int, total: int) -> float:
    """`part` as a percentage of `total`, one decimal; 0 when there is nothing to share."""
    return round(100 * part / total, 1) if total else 0.0


def last_days(days: int, now: dt.datetime | None = None) -> Period:
    """The `days` local days ending today, in the project's TIME_ZONE."""
    tz = timezone.get_default_timezone()
    today = timezone.localdate(now or timezone.now(), tz)
    return Period(first=today - dt.timedelta(days=days - 1), last=today, tz=tz)


def figures(account_id: int, period: Period) -> Figures:
    """Everything the dashboard shows for one account over one period."""
    by_day_and_status = _counts(account_id, period)
    per_day: Counter[dt.date] = Counter()
    per_status: Counter[str] = Counter()
    for (day, status), count in by_day_and_status.items():
        per_day[day] += count
        per_status[status] += count
    return Figures(
        period=period,
        per_day=[(day, per_day[day]) for day in period.days],
        statuses=_shares(per_status),
        top_rules=top_rules(account_id, period),
        unmatched=top_unmatched(account_id, period),
    )


def _in_period(account_id: int, period: Period) -> QuerySet[Message]:
    return Message.objects.filter(
        account_id=account_id, received_at__gte=period.start, received_at__lt=period.end
    )


def _counts(account_id: int, period: Period) -> dict[tuple[dt.date, str], int]:
    """Messages per (local day, status): one GROUP BY for both the daily chart and the shares."""
    rows = (
        _in_period(account_id, period)
        .annotate(day=TruncDate("received_at", tzinfo=period.tz))
        .values_list("day", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(day, status): count for day, status, count in rows}


def _shares(per_status: Counter[str]) -> list[StatusShare]:
    """Every status in its declared order, with its share of the period's messages."""
    total = sum(per_status.values())
    return [
        StatusShare(status, str(label), per_status[status], percent(per_status[status], total))
        for status, label in Status.choices
    ]


def top_rules(account_id: int, period: Period, limit: int = TOP_RULES) -> list[RuleHits]:
    """The rules that answered most in the period (ties by name), with their last hit."""
    rows = (
        _in_period(account_id, period)
        .filter(rule__name__isnull=False)  # a join: not the rows of a rule deleted since
        .values_list("rule_id", "rule__name")
        .annotate(hits=Count("pk"), last=Max("received_at"))
        .order_by("-hits", "rule__name")[:limit]
    )
    return [RuleHits(*row) for row in rows]


class _Normalized(Func):
    """SQL's nearest to `matching.normalize`: NFKC, lower case, trimmed of whitespace.

    (PostgreSQL's normalize() needs a UTF8 database, which `bin/localpg` creates.)
    """

    template = "btrim(lower(normalize(%(expressions)s, NFKC)), E' \\t\\n\\r\\f')"
    output_field = TextField()


def top_unmatched(
    account_id: int, period: Period, limit: int = TOP_UNMATCHED
) -> list[UnmatchedText]:
    """The texts followers sent that no rule matched, grouped as keywords compare them."""
    rows = (
        _in_period(account_id, period)
        .filter(status=Status.NO_RULE, msg_type=MsgType.TEXT)
        .annotate(key=_Normalized(F("text")))
        .exclude(key="")
        .values("key")
        .annotate(count=Count("pk"), last=Max("received_at"), sample=Min("text"))
        .order_by("-count", "-last", "key")[: limit * MERGE_HEADROOM]
    )
    return _merge((row["sample"], row["count"], row["last"]) for row in rows)[:limit]


def _merge(groups: Iterable[tuple[str, int, dt.datetime]]) -> list[UnmatchedText]:
    """Join SQL groups whose texts `normalize` makes equal; the biggest group's sample wins."""
    merged: dict[str, UnmatchedText] = {}
    for sample, count, last in groups:  # biggest first, as the query orders them
        key = normalize(sample)
        seen = merged.get(key)
        if seen is None:
            merged[key] = UnmatchedText(sample.strip(), count, last)
        else:
            merged[key] = UnmatchedText(seen.text, seen.count + count, max(seen.last, last))
    return sorted(merged.values(), key=lambda item: (-item.count, -item.last.timestamp()))
