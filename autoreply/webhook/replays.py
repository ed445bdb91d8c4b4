"""One signed query, one body: the database binds each accepted query to what it carried.

In plaintext (and compatible) mode the URL signature covers only timestamp and nonce,
never the body, so whoever reads one query string (an access log, a proxy) could post
any message under it for as long as the timestamp window lasts. WeChat's retries are
byte-identical, so the first body a query came with is the only one it may carry: the
same query with the same body again is a retry, with another body a forgery (403).

Cost: a 48-byte row and one primary-key entry per push (a retry turns it into a no-op
UPDATE of that row), written by the push's own statement (recording.BOUND), so in the
same durable commit as the message; plus, at most once a minute per worker, a DELETE of
the rows whose window has closed. Only the paths that store nothing first (a refused
body) or store in a transaction of their own (a cooldown) bind with a statement of
their own (`Binding.bind`).
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connections

from autoreply.conf import setting, webhook_database
from autoreply.errors import QueryReused
from autoreply.webhook.statements import Prepared, true

logger = logging.getLogger(__name__)

# A conflict returns the stored row, so the answer is one statement in every case, and
# two nodes taking the same query at once are serialised by the key, not by us.
BIND = """
INSERT INTO autoreply_signedquery AS q (account_id, query_hash, body_hash, seen_at)
VALUES (%s, %s, %s, now())
ON CONFLICT (account_id, query_hash) DO UPDATE SET seen_at = q.seen_at
RETURNING q.body_hash = %s::uuid AS same
"""
PREPARED_BIND = Prepared("autoreply_bind_query", BIND)
PRUNE = "DELETE FROM autoreply_signedquery WHERE seen_at < now() - make_interval(secs => %s)"
PRUNE_EVERY = 60.0
"""Seconds between one worker's prunes."""
KEEP_WITHOUT_WINDOW = 86_400
"""Seconds a query is remembered when WECHAT_TIMESTAMP_TOLERANCE is 0 (no window)."""

_last_prune = float("-inf")


def query_hash(params: Mapping[str, str]) -> uuid.UUID:
    """What identifies a signed query: its timestamp, nonce and signature."""
    parts = (params.get("timestamp", ""), params.get("nonce", ""), params.get("signature", ""))
    return _digest("\x00".join(parts).encode())


@dataclass(frozen=True, slots=True)
class Binding:
    """An authenticated query and the body it came with, to be bound by the database."""

    account_id: int
    query_hash: uuid.UUID
    body_hash: uuid.UUID

    @classmethod
    def of(cls, account_id: int, params: Mapping[str, str], body: bytes) -> "Binding":
        return cls(account_id, query_hash(params), _digest(body))

    def params(self) -> list[object]:
        """BIND's parameters, in its order."""
        return [self.account_id, self.query_hash, self.body_hash, self.body_hash]

    def bind(self) -> None:
        """Accept the body under this query now, or raise QueryReused.

        While the database does not answer, the push is let through (logged): refusing it
        would lose real messages during an outage, and nothing can be stored meanwhile.
        """
        try:
            same = _first(self.params())
        except DatabaseError as exc:
            logger.warning(
                "account %s: could not check the query's body, let through: %s",
                self.account_id,
                exc,
            )
            return
        if not true(same):
            raise QueryReused("this signed query was already used with another body")


def window() -> int:
    """Seconds an accepted query stays valid: its timestamp may be early or late by the
    tolerance, so up to twice the tolerance after it is first seen."""
    tolerance = int(setting("WECHAT_TIMESTAMP_TOLERANCE"))
    return 2 * tolerance if tolerance > 0 else KEEP_WITHOUT_WINDOW


def prune() -> int:
    """Forget the queries whose window has closed; the number forgotten."""
    with connections[webhook_database()].cursor() as cursor:
        cursor.execute(PRUNE, [window()])
        return int(cursor.rowcount)


def prune_now_and_then() -> None:
    """Prune, at most every PRUNE_EVERY seconds per process."""
    global _last_prune
    now = time.monotonic()
    if now - _last_prune >= PRUNE_EVERY:
        _last_prune = now
        try:
            prune()
        except DatabaseError as exc:  # only the table's size suffers; the next prune catches up
            logger.warning("could not prune the signed queries: %s", exc)


def _first(params: list[Any]) -> object:
    connection = connections[webhook_database()]
    if not connection.in_atomic_block:
        row = PREPARED_BIND.first_row(connection, params)
    else:  # a test's transaction: the ordinary cursor, which joins it
        with connection.cursor() as cursor:
            cursor.execute(BIND, params)
            row = cursor.fetchone()
    return row[0] if row else None


def _digest(data: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=hashlib.blake2b(data, digest_size=16).digest())
