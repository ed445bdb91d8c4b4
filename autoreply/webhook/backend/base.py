"""Django's PostgreSQL backend for the webhook's own connection, guarded against a
database that fails or hangs: the circuit breaker (breaker.py) decides whether to try it
at all, every new connection is first probed within PROBE_SECONDS (libpq will not time
out a connection attempt in under 2 s), and every statement is cut off by the watchdog
(watchdog.py) after HANG_SECONDS even when the server is frozen and never answers.

The ENGINE of the `webhook` database in config/settings.py; nothing else uses it.
"""

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import psycopg
from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql import base
from psycopg import conninfo, pq

from autoreply.webhook.breaker import PROBE_SECONDS, DatabaseAway, breaker, probe
from autoreply.webhook.watchdog import watchdog

T = TypeVar("T")

# Longer than any healthy statement of the hot path (well under 10 ms), short enough
# that a push is still answered within a second: beyond it the push is spooled.
HANG_SECONDS = 0.5
FAILURES = (OperationalError, InterfaceError)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        watchdog.watch(self)
        self.execute_wrappers.append(self._guarded_execute)

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        try:
            if breaker.closed:
                probe(libpq_conninfo(conn_params), PROBE_SECONDS)
            else:
                breaker.admit(lambda: libpq_conninfo(conn_params))
            return super().get_new_connection(conn_params)
        except DatabaseAway:  # the breaker's own refusal: no new failure to count
            raise
        except FAILURES as error:
            breaker.trip(error)
            raise

    def guarded(self, run: Callable[[], T]) -> T:
        """Run one statement on this connection under the breaker and the watchdog."""
        if not breaker.closed:
            breaker.admit(lambda: libpq_conninfo(self.get_connection_params()))
        try:
            fileno = self.connection.pgconn.socket
        except (AttributeError, psycopg.Error):  # not connected, or lost: `run` will say so
            return run()
        watchdog.arm(self, fileno, HANG_SECONDS)
        try:
            return run()
        except FAILURES as error:
            breaker.trip(error)
            raise
        finally:
            self.armed = None

    def is_usable(self) -> bool:
        # Django's own check is a bare SELECT 1: not asked of a database that is away.
        if not breaker.closed:
            return False
        return self.guarded(super().is_usable)

    def _guarded_execute(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        return self.guarded(lambda: execute(sql, params, many, context))


def libpq_conninfo(conn_params: dict[str, Any]) -> str:
    """The libpq part of Django's connection parameters (it adds psycopg's own)."""
    known = libpq_keywords()
    return conninfo.make_conninfo(
        "", **{key: value for key, value in conn_params.items() if key in known}
    )


@cache
def libpq_keywords() -> frozenset[str]:
    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())
