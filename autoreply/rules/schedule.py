"""When a rule answers: its `active_from` / `active_until` bounds and its weekly schedule,
compiled once into a `Window` that says whether an instant (a push's CreateTime) is
inside. No clock and no database: a rule that becomes active at 09:00 answers at 09:00
without a rebuild, because the window holds the times, not a verdict.

A schedule entry is `{"days": "mon-fri", "from": "09:00", "to": "18:00"}`: days `mon`..`sun`
in ranges and commas (`mon-wed,fri`; a range may wrap, `fri-mon`), times `HH:MM` (`to`
may also be `24:00`). A `to` earlier than `from` runs past midnight: `fri 22:00-02:00`
covers Friday night and the early hours of Saturday, and belongs to Friday. Wall-clock
times in the window's time zone (DJANGO_TIME_ZONE), so 09:00 stays 09:00 across DST.
"""

import math
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ENTRY_KEYS = ("days", "from", "to")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = 7 * DAY_MINUTES
_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")


class ScheduleError(ValueError):
    """One schedule entry that cannot be compiled: which entry (from 0), which key, why
    (`code`), and the value; validation says it in the operator's words."""

    def __init__(self, entry: int, key: str, code: str, value: Any = "") -> None:
        super().__init__(f"schedule entry {entry + 1}, {key}: {code} ({value!r:.40})")
        self.entry, self.key, self.code, self.value = entry, key, code, value


def parse_days(text: str) -> frozenset[int]:
    """`mon-wed,fri` -> {0, 1, 2, 4}; raises ValueError when a part is not a day or range."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or not all(end in DAYS for end in ends):
            raise ValueError(part)
        start, end = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days.update(day % 7 for day in range(start, end + (7 if end < start else 0) + 1))
    return frozenset(days)


def parse_time(text: str, *, end: bool = False) -> int:
    """`09:30` -> 570 minutes; `24:00` only as an end. Raises ValueError otherwise."""
    if not _TIME.fullmatch(text) or (text == "24:00" and not end):
        raise ValueError(text)
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def entry_spans(entry: Any, number: int = 0) -> list[tuple[int, int]]:
    """The minutes of the week an entry covers, as [start, end) spans (a span past the
    end of Sunday is split in two); raises ScheduleError naming what does not parse."""
    if not isinstance(entry, Mapping) or not any(
        str(entry.get(k) or "").strip() for k in ENTRY_KEYS
    ):
        raise ScheduleError(number, "days", "empty_entry", entry)
    values = {key: str(entry.get(key) or "").strip() for key in ENTRY_KEYS}
    for key in ENTRY_KEYS:
        if not values[key]:
            raise ScheduleError(number, key, "missing", "")
    try:
        days = parse_days(values["days"])
    except ValueError:
        raise ScheduleError(number, "days", "bad_days", values["days"]) from None
    times = []
    for key in ("from", "to"):
        try:
            times.append(parse_time(values[key], end=key == "to"))
        except ValueError:
            raise ScheduleError(number, key, "bad_time", values[key]) from None
    start, end = times
    if start == end:
        raise ScheduleError(number, "to", "same_time", values["to"])
    length = end - start if end > start else end + DAY_MINUTES - start
    spans = []
    for day in sorted(days):
        begin = day * DAY_MINUTES + start
        spans.append((begin, min(begin + length, WEEK_MINUTES)))
        if begin + length > WEEK_MINUTES:  # Sunday night into Monday morning
            spans.append((0, begin + length - WEEK_MINUTES))
    return spans


def weekly_spans(entries: Sequence[Any]) -> tuple[tuple[int, int], ...]:
    """Every entry's spans, sorted and merged, so a lookup is one bisect."""
    spans = sorted(
        span for number, entry in enumerate(entries) for span in entry_spans(entry, number)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


class Moment:
    """One instant (epoch seconds), its local minute of the week worked out once, when a
    window first asks, however many rules ask (their zone is DJANGO_TIME_ZONE: one slot)."""

    __slots__ = ("_minute", "_zone", "epoch")

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self._zone: tzinfo | None = None
        self._minute = 0

    def minute_of_week(self, zone: tzinfo) -> int:
        if zone is not self._zone:
            local = datetime.fromtimestamp(self.epoch, zone)
            self._minute = local.weekday() * DAY_MINUTES + local.hour * 60 + local.minute
            self._zone = zone
        return self._minute


@dataclass(frozen=True, slots=True)
class Window:
    """When a rule may answer: from `start` (inclusive) until `until` (exclusive), epoch
    seconds, None for unbounded; inside one of `spans` (minutes of the week in `zone`),
    or any time of the week when there are none."""

    zone: tzinfo
    start: int | None = None
    until: int | None = None
    spans: tuple[tuple[int, int], ...] = ()

    def contains(self, moment: Moment) -> bool:
        if self.start is not None and moment.epoch < self.start:
            return False
        if self.until is not None and moment.epoch >= self.until:
            return False
        if not self.spans:
            return True
        minute = moment.minute_of_week(self.zone)
        at = bisect_right(self.spans, (minute, WEEK_MINUTES))
        return at > 0 and minute < self.spans[at - 1][1]


def compile_window(
    active_from: datetime | None,
    active_until: datetime | None,
    entries: Sequence[Any],
    zone: tzinfo,
) -> Window | None:
    """The rule's window, or None when it has no time limits (it answers at any time)."""
    spans = weekly_spans(entries or ())
    if active_from is None and active_until is None and not spans:
        return None
    return Window(
        zone,
        # CreateTime is whole seconds: a bound between two seconds rounds up either way
        None if active_from is None else math.ceil(active_from.timestamp()),
        None if active_until is None else math.ceil(active_until.timestamp()),
        spans,
    )
