"""A circuit breaker for the webhook's database: a database that fails is not waited on.

After a failure or a timeout the breaker is open for OPEN_SECONDS: every use of the
webhook's connection fails at once (the push goes to the spool) instead of each request
waiting on a database that does not answer. Then one caller probes with a connection
attempt bounded by PROBE_SECONDS (libpq's own connect_timeout cannot go below 2 s); when
it succeeds the breaker closes. While closed, checking it costs one attribute read.
"""

import logging
import select
import threading
import time
from collections.abc import Callable

from django.db import OperationalError
from psycopg import pq

logger = logging.getLogger(__name__)

OPEN_SECONDS = 1.0
PROBE_SECONDS = 0.5


class DatabaseAway(OperationalError):
    """The breaker is open: the database failed a moment ago and is not tried yet."""


class Breaker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.failed_at: float | None = None  # None: closed, the database answers
        self._open_until = 0.0
        self.on_recovery: list[Callable[[], None]] = []

    @property
    def closed(self) -> bool:
        return self.failed_at is None

    def trip(self, reason: object) -> None:
        """A failure or a timeout: stay away from the database for OPEN_SECONDS."""
        now = time.monotonic()
        with self._lock:
            if self.failed_at is None:
                logger.warning("the database failed (%s): using the spool for now", reason)
                self.failed_at = now
            self._open_until = now + OPEN_SECONDS

    def admit(self, conninfo: Callable[[], str]) -> None:
        """Return when the database may be used; raise DatabaseAway otherwise."""
        if self.failed_at is None:
            return
        with self._lock:
            if time.monotonic() < self._open_until:
                raise DatabaseAway("the database did not answer a moment ago")
            self._open_until = time.monotonic() + OPEN_SECONDS  # one prober at a time
        try:
            probe(conninfo(), PROBE_SECONDS)
        except OperationalError as error:
            self.trip(error)
            raise DatabaseAway(f"the database still does not answer: {error}") from error
        self.recovered()

    def recovered(self) -> None:
        with self._lock:
            if self.failed_at is None:
                return
            away = time.monotonic() - self.failed_at
            self.failed_at = None
        logger.warning("the database answers again after %.1f s", away)
        for callback in self.on_recovery:
            callback()


def probe(conninfo: str, seconds: float) -> None:
    """Open (and close) one connection within `seconds`, or raise OperationalError.

    Driven by hand through libpq's non-blocking connect: a frozen server accepts the TCP
    connection (its kernel does) and then never answers."""
    deadline = time.monotonic() + seconds
    pgconn = pq.PGconn.connect_start(conninfo.encode())
    try:
        status = pq.PollingStatus.WRITING
        while status not in (pq.PollingStatus.OK, pq.PollingStatus.FAILED):
            remaining = deadline - time.monotonic()
            if pgconn.status == pq.ConnStatus.BAD:
                break
            if remaining <= 0:
                raise OperationalError(f"no connection within {seconds} s")
            wanted = [pgconn.socket]
            if status == pq.PollingStatus.READING:
                select.select(wanted, [], wanted, remaining)
            else:
                select.select([], wanted, wanted, remaining)
            status = pq.PollingStatus(pgconn.connect_poll())
        if status != pq.PollingStatus.OK:
            message = pgconn.get_error_message().strip()
            raise OperationalError(message)
    finally:
        pgconn.finish()


breaker = Breaker()
