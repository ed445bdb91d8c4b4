"""Checking, after the load, that ours stored every message it answered exactly once.

Every request that reaches the app leaves one trace: a new row (`autoreply_message`)
or, for a retry of a stored message, `retries + 1` on that row. So with wrk's counts:
2xx answers <= rows + retries counted <= requests sent, and the difference between
the traces and the 2xx answers can only be requests still in flight when wrk stopped
(sent - completed). The unique dedup key must leave no (sender, MsgId) stored twice.
"""

from dataclasses import dataclass

import psycopg

QUERY = """
SELECT count(*), count(DISTINCT (m.from_user, m.msg_id)), coalesce(sum(m.retries), 0),
       count(*) FILTER (WHERE m.status = 'reply'), count(*) FILTER (WHERE m.status = 'no_rule'),
       coalesce(string_agg(DISTINCT m.status, ', ')
                FILTER (WHERE m.status NOT IN ('reply', 'no_rule')), '')
FROM autoreply_message m JOIN autoreply_account a ON a.id = m.account_id
WHERE a.slug = %s
"""


@dataclass
class StorageCheck:
    sent: int
    originals: int
    retries_sent: int
    completed: int
    ok: int
    rows: int
    distinct: int
    retries_counted: int
    replied: int
    no_rule: int
    others: str  # the other statuses found, by name

    @property
    def traces(self) -> int:
        return self.rows + self.retries_counted

    @property
    def in_flight(self) -> int:
        return self.sent - self.completed

    @property
    def passed(self) -> bool:
        return (
            self.rows == self.distinct
            and self.ok <= self.traces <= self.sent
            and self.traces - self.ok <= self.in_flight
            and self.rows <= self.originals
            and self.replied + self.no_rule == self.rows
        )

    @property
    def verdict(self) -> str:
        return (f"{self.ok:,} 2xx answers, {self.rows:,} rows + {self.retries_counted:,} "
                f"retries counted, {self.rows - self.distinct} duplicates")  # fmt: skip

    def lines(self) -> list[str]:
        return [
            f"Storage check (ours, warm-up + measured): wrk sent {self.sent:,} requests "
            f"({self.originals:,} new messages, {self.retries_sent:,} retries), "
            f"{self.completed:,} answered, {self.ok:,} with 2xx.",
            f"  database: {self.rows:,} rows for the account, {self.distinct:,} distinct "
            f"(FromUserName, MsgId); {self.retries_counted:,} retries counted on them; "
            f"status reply {self.replied:,}, no_rule {self.no_rule:,}, "
            f"other {self.rows - self.replied - self.no_rule:,}"
            + (f" ({self.others})." if self.others else "."),
            f"  rows + retries = {self.traces:,}: {self.traces - self.ok:,} more than the 2xx "
            f"answers, at most the {self.in_flight:,} requests in flight when wrk stopped.",
        ]


def check_storage(database_url: str, slug: str, counts: dict[str, int]) -> StorageCheck:
    """Compare wrk's counts (summed over warm-up and measurement) with the database."""
    with psycopg.connect(database_url) as conn:
        rows, distinct, retries, replied, no_rule, others = conn.execute(QUERY, [slug]).fetchone()
    return StorageCheck(
        sent=counts["sent"], originals=counts["originals"], retries_sent=counts["retries"],
        completed=counts["completed"], ok=counts["ok"], rows=rows, distinct=distinct,
        retries_counted=int(retries), replied=replied, no_rule=no_rule, others=others,
    )  # fmt: skip
