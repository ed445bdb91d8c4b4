"""The webhook's statements, prepared once per connection and run on libpq's own API.

psycopg's general execute path (cursors, adapters, generators) costs more client CPU
than the statement costs PostgreSQL; for the few fixed statements the webhook runs on
every push, parameters are sent as text to a prepared statement instead. Inside a
transaction, or for anything else, Django's ordinary cursor is used.
"""

import re
import select
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
        with connection.wrap_database_errors:
            self._send(pgconn, params, prepared=self._prepared_on(connection, pgconn))
            result = _result(pgconn)
            _check(pgconn, result)
            return _first(result)

    def _prepared_on(self, connection: BaseDatabaseWrapper, pgconn: pq.abc.PGconn) -> bool:
        """Whether to run the prepared statement (made now if this connection lacks it):
        not behind a pool in transaction mode, which keeps no session to hold it."""
        if setting("DATABASE_POOL_MODE") == "transaction":
            return False
        prepared = connection.__dict__.setdefault("autoreply_prepared", {})
        if prepared.get(self.name) is not pgconn:
            pgconn.send_prepare(self.name, self.sql)
            _check(pgconn, _result(pgconn))
            prepared[self.name] = pgconn
        return True

    def _send(self, pgconn: pq.abc.PGconn, params: list[object], *, prepared: bool) -> None:
        values: list[bytes | None] = [_text(p) for p in params]
        if prepared:
            pgconn.send_query_prepared(self.name, values)
        else:
            pgconn.send_query_params(self.sql, values)

    def first_rows_in_one_transaction(
        self, connection: BaseDatabaseWrapper, batch: list[list[object]]
    ) -> list[tuple[Any, ...] | None]:
        """Run it once per parameter list, all in one transaction (one durable commit),
        sent as one pipeline (one round trip); each run's first row. All or nothing: the
        first error is raised, and the transaction is rolled back."""
        connection.ensure_connection()
        guarded = getattr(connection, "guarded", None)

        def run() -> list[tuple[Any, ...] | None]:
            with connection.wrap_database_errors:
                return self._pipeline(connection, connection.connection.pgconn, batch)

        return run() if guarded is None else guarded(run)

    def _pipeline(
        self, connection: BaseDatabaseWrapper, pgconn: pq.abc.PGconn, batch: list[list[object]]
    ) -> list[tuple[Any, ...] | None]:
        prepared = self._prepared_on(connection, pgconn)  # before the pipeline: a round trip
        pgconn.enter_pipeline_mode()
        try:
            pgconn.send_query_params(b"BEGIN", None)
            for params in batch:
                self._send(pgconn, params, prepared=prepared)
            pgconn.send_query_params(b"COMMIT", None)
            pgconn.pipeline_sync()
            _flush(pgconn)
            results = [_next(pgconn) for _ in range(len(batch) + 2)]
            _next(pgconn)  # the sync's own
        finally:
            if pgconn.status == pq.ConnStatus.OK:
                pgconn.exit_pipeline_mode()
        for result in results:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                _rollback(pgconn)
                raise errors.error_from_result(result, encoding="utf-8")
        _check(pgconn, results[-1])  # the COMMIT: a batch is stored only when it is in
        return [_first(result) for result in results[1:-1]]


# Waiting is done here, in select(), never inside libpq (its exec_* calls wait in poll()
# of their own): a gevent worker's other greenlets, the watchdog that would cut the wait
# among them, run only while a greenlet waits in gevent's select().


def _flush(pgconn: pq.abc.PGconn) -> None:
    while pgconn.flush():
        select.select([], [pgconn.socket], [])


def _ready(pgconn: pq.abc.PGconn) -> pq.abc.PGresult | None:
    while pgconn.is_busy():
        select.select([pgconn.socket], [], [])
        pgconn.consume_input()
    return pgconn.get_result()


def _next(pgconn: pq.abc.PGconn) -> pq.abc.PGresult:
    """The next statement's result, read up to the None that ends it, in a pipeline or not.

    Outside a transaction a statement commits as it ends, and an error of that commit (a
    deferred constraint's) comes after the statement's own rows: then that error is the
    result. Taking the rows alone had answered a push as stored that was rolled back."""
    result = _ready(pgconn)
    if result is None:  # the connection broke mid-way
        raise psycopg.OperationalError(pgconn.get_error_message() or "the connection broke")
    if result.status == pq.ExecStatus.PIPELINE_SYNC:
        return result
    while (after := _ready(pgconn)) is not None:
        if after.status == pq.ExecStatus.FATAL_ERROR and result.status != after.status:
            result = after
    return result


def _result(pgconn: pq.abc.PGconn) -> pq.abc.PGresult:
    """The result of the one statement just sent outside a pipeline."""
    _flush(pgconn)
    return _next(pgconn)


def _rollback(pgconn: pq.abc.PGconn) -> None:
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        pgconn.send_query_params(b"ROLLBACK", None)
        _result(pgconn)


def _first(result: pq.abc.PGresult) -> tuple[Any, ...] | None:
    if not result.ntuples:
        return None
    return tuple(result.get_value(0, i) for i in range(result.nfields))


def _check(pgconn: pq.abc.PGconn, result: pq.abc.PGresult) -> None:
    if pgconn.status != pq.ConnStatus.OK:
        raise psycopg.OperationalError(pgconn.get_error_message())
    if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        raise errors.error_from_result(result, encoding="utf-8")


# A row comes back as text bytes from here and as Python values from Django's cursor
# (inside a transaction): readers that get either decode through these.


def text(value: str | bytes) -> str:
    """A text column's value, from either path."""
    return value.decode() if isinstance(value, bytes) else value


def utf8(value: str | bytes) -> bytes:
    """A text column's value as UTF-8, from either path (the prepared one's as it came)."""
    return value if isinstance(value, bytes) else value.encode()


def true(value: object) -> bool:
    """Whether a boolean column's value is true (NULL is not), from either path."""
    return value is True or value == b"t"


def _text(value: object) -> bytes | None:
    if value is None:
        return None
    if value is True or value is False:
        return b"t" if value else b"f"
    return str(value).encode()
