"""Ageing out old messages at a cost that does not grow with the table.

`autoreply_message` is partitioned by create_day, the UTC day of CreateTime (days since
1970; migration 0006): one
`autoreply_message_pYYYYMMDD` per day, with a catch-all range below the first day
(`autoreply_message_before`, from MINVALUE) and one above the last
(`autoreply_message_after`, to MAXVALUE), so a push with any CreateTime is stored. A day
past AUTOREPLY_RETENTION_DAYS goes by detaching and dropping its partition, however many
rows it holds; the few rows of the catch-alls go by received_at. Sends
(OutboundMessage) go by their own time. Followers and their counts are never touched.

Moving a catch-all's bound (days created ahead split the upper one; days dropped widen
the lower one) means detaching and re-attaching it, which takes an ACCESS EXCLUSIVE lock
on the parent for a few catalog updates. So that webhook inserts never queue behind a
lock that waits: the partitions concerned (which the webhook does not write to) are
locked first and the parent last, and no lock is waited for longer than LOCK_TIMEOUT;
past it, that step gives up and the next run (an hour later) tries again. Detached days
are dropped afterwards, as tables of their own: that takes no lock on the parent at all.
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.db.backends.utils import CursorWrapper

from autoreply.conf import setting

logger = logging.getLogger(__name__)

PARENT = "autoreply_message"
DAY = 86400
AHEAD_DAYS = 7  # partitions exist up to today + 7: a week of missed runs changes nothing
LOCK_TIMEOUT = "100ms"
DAY_TABLE = re.compile(r"^autoreply_message_p\d{8}$")
BOUNDS = re.compile(r"FROM \((.+?)\) TO \((.+?)\)")
LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class Partition:
    name: str
    lower: int | None  # None: MINVALUE
    upper: int | None  # None: MAXVALUE


@dataclass
class Aged:
    """What one run did; `postponed` names the steps left for the next run (a lock)."""

    created: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    messages_deleted: int = 0
    sends_deleted: int = 0
    postponed: list[str] = field(default_factory=list)


def age(now: float | None = None, using: str = DEFAULT_DB_ALIAS) -> Aged:
    """Create the partitions of the days ahead, drop the days past the retention, delete
    the older catch-all rows and sends. Safe to run at any time, from anywhere, often."""
    now = time.time() if now is None else now
    days = setting("AUTOREPLY_RETENTION_DAYS")
    aged = Aged()
    with connections[using].cursor() as cursor:
        if layout(cursor) is None:
            return aged  # migrations not applied yet (post_migrate of an earlier one)
        _step(aged, "create ahead", using, lambda: aged.created.extend(_create_ahead(cursor, now)))
        if days:
            cutoff = int(now) - days * DAY
            _step(aged, "detach", using, lambda: _detach_older(cursor, cutoff))
            _step(aged, "drop", using, lambda: aged.dropped.extend(_drop_detached(cursor)))
            aged.messages_deleted, aged.sends_deleted = _delete_older(cursor, cutoff)
    if aged.created or aged.dropped or aged.messages_deleted or aged.sends_deleted:
        logger.info(
            "retention: %d partitions created, %d dropped, %d messages and %d sends deleted",
            len(aged.created),
            len(aged.dropped),
            aged.messages_deleted,
            aged.sends_deleted,
        )
    return aged


def layout(cursor: CursorWrapper) -> list[Partition] | None:
    """The message table's partitions by their bounds; None when it is not partitioned."""
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [PARENT])
    if cursor.fetchone() is None:
        return None
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [PARENT],
    )
    partitions = []
    for name, bound in cursor.fetchall():
        found = BOUNDS.search(bound)
        if found is None:
            raise RuntimeError(f"{name}: unexpected partition bound {bound!r}")
        partitions.append(Partition(name, _bound(found.group(1)), _bound(found.group(2))))
    return sorted(partitions, key=lambda p: -1 if p.lower is None else p.lower)


def day_name(day: int) -> str:
    return f"{PARENT}_p" + datetime.fromtimestamp(day * DAY, UTC).strftime("%Y%m%d")


def _create_ahead(cursor: CursorWrapper, now: float) -> list[str]:
    """Split the upper catch-all: day partitions up to today + AHEAD_DAYS, with the rows
    it held for those days moved into them (normally none)."""
    after = _catch_all(cursor, upper=True)
    end = int(now) // DAY + AHEAD_DAYS + 1
    if after.lower is None or after.lower >= end:
        return []
    days = range(after.lower, end)
    _lock_first(cursor, [after.name])
    cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {after.name}")
    for day in days:
        cursor.execute(
            f"CREATE TABLE {day_name(day)} PARTITION OF {PARENT} "
            f"FOR VALUES FROM ({day}) TO ({day + 1})"
        )
        name_indexes(cursor, day_name(day))
    # Table names here are our constants or read from pg_class, never user input.
    moved = f"DELETE FROM {after.name} WHERE create_day < %s RETURNING *"  # noqa: S608
    into = f"INSERT INTO {PARENT} SELECT * FROM moved"  # noqa: S608
    cursor.execute(f"WITH moved AS ({moved}) {into}", [end])
    cursor.execute(
        f"ALTER TABLE {PARENT} ATTACH PARTITION {after.name} FOR VALUES FROM ({end}) TO (MAXVALUE)"
    )
    return [day_name(day) for day in days]


def name_indexes(cursor: CursorWrapper, partition: str) -> None:
    """Name a partition's indexes after the table's (`..._p20261201_message_recent`, not
    PostgreSQL's column-list names), so a plan says which index it used."""
    cursor.execute(
        "SELECT c.relname, p.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
        "JOIN pg_inherits i ON i.inhrelid = x.indexrelid JOIN pg_class p ON p.oid = i.inhparent "
        "WHERE x.indrelid = %s::regclass",
        [partition],
    )
    for index, parent_index in cursor.fetchall():
        cursor.execute(f"ALTER INDEX {index} RENAME TO {partition}_{parent_index}")


def _detach_older(cursor: CursorWrapper, cutoff: int) -> None:
    """Detach the days wholly older than the cutoff (Unix time); the lower catch-all grows
    over their range, so that no CreateTime is ever left without a partition."""
    partitions = layout(cursor) or []
    before = _catch_all(cursor, upper=False)
    last = cutoff // DAY  # days before this one ended before the cutoff
    old = [p for p in partitions if DAY_TABLE.match(p.name) and p.upper and p.upper <= last]
    if not old:
        return
    _lock_first(cursor, [before.name, *(p.name for p in old)])
    cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {before.name}")
    for partition in old:
        cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {partition.name}")
    bound = max(p.upper for p in old if p.upper is not None)
    cursor.execute(
        f"ALTER TABLE {PARENT} ATTACH PARTITION {before.name} "
        f"FOR VALUES FROM (MINVALUE) TO ({bound})"
    )


def _drop_detached(cursor: CursorWrapper) -> list[str]:
    """Drop the day tables that are no longer partitions (this run's, or a run that died
    between detaching and dropping)."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND NOT c.relispartition "
        "AND c.relnamespace = current_schema()::regnamespace AND c.relname LIKE %s",
        [f"{PARENT}_p%"],
    )
    names = sorted(name for (name,) in cursor.fetchall() if DAY_TABLE.match(name))
    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    for name in names:
        cursor.execute(f"DROP TABLE {name}")
    return names


def _delete_older(cursor: CursorWrapper, cutoff: int) -> tuple[int, int]:
    """The catch-alls' rows (odd CreateTimes) by when we received them; sends by theirs."""
    messages = 0
    for name in (f"{PARENT}_before", f"{PARENT}_after"):
        sql = f"DELETE FROM {name} WHERE received_at < to_timestamp(%s)"  # noqa: S608  (ours)
        cursor.execute(sql, [cutoff])
        messages += cursor.rowcount
    cursor.execute(
        "DELETE FROM autoreply_outboundmessage WHERE created_at < to_timestamp(%s)", [cutoff]
    )
    return messages, cursor.rowcount


def _step(aged: Aged, name: str, using: str, work: Callable[[], object]) -> None:
    """One step in a transaction of its own; a lock not had in time postpones it."""
    try:
        with transaction.atomic(using=using):
            work()
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        logger.warning("retention: %s postponed, a lock was not free in %s", name, LOCK_TIMEOUT)
        aged.postponed.append(name)


def _lock_first(cursor: CursorWrapper, names: list[str]) -> None:
    """Lock the partitions before the parent (which ALTER TABLE locks next): a wait for
    one of them never holds up the webhook's inserts into today's."""
    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    cursor.execute(f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE")


def _catch_all(cursor: CursorWrapper, *, upper: bool) -> Partition:
    partitions = layout(cursor) or []
    ends = [p for p in partitions if (p.upper if upper else p.lower) is None]
    if len(ends) != 1:
        raise RuntimeError(f"{PARENT} has no single {'upper' if upper else 'lower'} catch-all")
    return ends[0]


def _bound(text: str) -> int | None:
    return None if text in ("MINVALUE", "MAXVALUE") else int(text.strip("'"))
