"""The webhook's statements, prepared once per connection and run on libpq's own API.

psycopg's general execute path (cursors, adapters, generators) costs more client CPU
than the statement costs PostgreSQL; for the few fixed statements the webhook runs on
every push, parameters are sent as text to a prepared statement instead. Inside a
transaction, or for anything else, Django's ordinary cursor is used.
"""

import re
from typing import Any

import psycopg
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import errors, pq

from autoreply.conf import setting

PLACEHOLDER = re.compile(r"%s")


class Prepared:
    """One SQL text with `%s` placeholders, prepared on each connection that runs it."""

    def __init__(self, name: str, sql: str) -> None:
        self.name = name.encode()
        counter = iter(range(1, 1000))
        self.sql = PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql).encode()

    def first_row(
        self, connection: BaseDatabaseWrapper, params: list[object]
    ) -> tuple[Any, ...] | None:
        """Run it (outside a transaction) and return the first row as text values."""
        connection.ensure_connection()
        guarded = getattr(connection, "guarded", None)  # the webhook's guarded backend
        if guarded is None:
            return self._run(connection, params)
        return guarded(lambda: self._run(connection, params))  # type: ignore[no-any-return]

    def _run(self, connection: BaseDatabaseWrapper, params: list[object]) -> tuple[Any, ...] | None:
        pgconn = connection.connection.pgconn
        values: list[bytes | None] = [_text(p) for p in params]
        with connection.wrap_database_errors:
            if setting("DATABASE_POOL_MODE") == "transaction":  # no session to keep it in
                result = pgconn.exec_params(self.sql, values)
            else:
                result = self._exec_prepared(connection, pgconn, values)
            _check(pgconn, result)
            if not result.ntuples:
                return None
            return tuple(result.get_value(0, i) for i in range(result.nfields))

    def _exec_prepared(
        self, connection: BaseDatabaseWrapper, pgconn: pq.abc.PGconn, values: list[bytes | None]
    ) -> pq.abc.PGresult:
        prepared = connection.__dict__.setdefault("autoreply_prepared", {})
        if prepared.get(self.name) is not pgconn:
            _check(pgconn, pgconn.prepare(self.name, self.sql))
            prepared[self.name] = pgconn
        return pgconn.exec_prepared(self.name, values)  # type: ignore[arg-type]  # None: NULL


def _check(pgconn: pq.abc.PGconn, result: pq.abc.PGresult) -> None:
    if pgconn.status != pq.ConnStatus.OK:
        raise psycopg.OperationalError(pgconn.get_error_message())
    if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        raise errors.error_from_result(result, encoding="utf-8")


def _text(value: object) -> bytes | None:
    if value is None:
        return None
    if value is True or value is False:
        return b"t" if value else b"f"
    return str(value).encode()
