"""Filling lookup tables from other databases: `manage.py sync_lookup TABLE`.

An engineer names each source in AUTOREPLY_LOOKUP_SOURCES (JSON: table -> account,
database_url, query, timeout, max_rows). A source is read with psycopg in a READ ONLY
transaction under a statement timeout, rolled back when done; its first two columns become
key and value, at most max_rows of them; then the table is replaced in one transaction of
ours (`tables.store`), so a failing source changes nothing.

A read-only transaction is not a boundary against a privileged role (a superuser can
still write server files with COPY, terminate backends, ...): the source's role is. So a
source is refused before its query runs when its role is a superuser, may create roles,
belongs to a role that reaches the server (pg_write_server_files, pg_signal_backend, ...)
or may write any table or schema of the database. See `roles.py`.
"""

import json
import time
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
from django.core.checks import Error
from django.core.exceptions import ValidationError
from psycopg.conninfo import conninfo_to_dict

from autoreply.choices import ChangeSource
from autoreply.conf import setting
from autoreply.history.authorship import changes_by
from autoreply.lookups import roles, tables
from autoreply.models import Account, LookupTable

SETTING = "AUTOREPLY_LOOKUP_SOURCES"
FIELDS: dict[str, type | tuple[type, ...]] = {
    "account": str,
    "database_url": str,
    "query": str,
    "timeout": (int, float),
    "max_rows": int,
}
REQUIRED = ("account", "database_url", "query")
DEFAULT_TIMEOUT, MAX_TIMEOUT = 30.0, 3600.0  # seconds a source's query may run
DEFAULT_MAX_ROWS = 1_000_000  # rows a source may return; past it the sync fails
CHUNK_ROWS = 5_000  # rows fetched from the source at a time
CONNECT_TIMEOUT = 10  # seconds
SCHEMES = ("postgres://", "postgresql://")
# What a source's cell may hold besides text: converted with str() (datetime is a date).
TEXT_LIKE = (int, float, Decimal, date, clock_time, UUID)


class SyncError(Exception):
    """A sync that did not happen (nothing was changed); the message says where and why."""


@dataclass(frozen=True)
class Source:
    table: str
    account: str
    database_url: str
    query: str
    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS

    def describe(self) -> str:
        """Where the source is, without its password: user@host:port/dbname."""
        try:
            info = conninfo_to_dict(self.database_url)
        except psycopg.ProgrammingError:
            return "an unreadable database_url"
        return "{}@{}:{}/{}".format(*(info.get(k, "?") for k in ("user", "host", "port", "dbname")))


@dataclass(frozen=True)
class Synced:
    source: Source
    rows: int
    counts: tables.Counts
    seconds: float

    def __str__(self) -> str:
        return (
            f"lookup table {self.source.account}/{self.source.table}: {self.counts} "
            f"({self.rows} rows from {self.source.describe()} in {self.seconds:.1f} s)"
        )


def parse(raw: Any) -> tuple[dict[str, Source], list[Error]]:
    """The sources in the setting (a JSON text, or already a mapping), and its problems."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            return {}, [_problem("E101", f"{SETTING} is not valid JSON: {exc}.")]
    if not isinstance(raw, Mapping):
        return {}, [_problem("E101", f"{SETTING} must be a JSON object, got {raw!r:.60}.")]
    sources, problems = {}, []
    for table, spec in raw.items():
        found = _source_problems(table, spec)
        problems.extend(found)
        if not found:
            sources[table] = Source(table, **spec)
    return sources, problems


def _source_problems(table: str, spec: Any) -> list[Error]:
    where = f"{SETTING}[{table!r}]"
    try:
        LookupTable._meta.get_field("name").run_validators(table)
    except ValidationError as exc:
        return [_problem("E102", f"{where}: not a lookup table name: {' '.join(exc.messages)}")]
    if not isinstance(spec, Mapping):
        return [_problem("E102", f"{where} must be an object, got {spec!r:.60}.")]
    problems = [_problem("E102", f"{where}: unknown field {k!r}.") for k in spec.keys() - FIELDS]
    missing = [k for k in REQUIRED if k not in spec]
    problems += [_problem("E102", f"{where}: {k!r} is required.") for k in missing]
    for name, kind in FIELDS.items():
        value = spec.get(name)
        if name in spec and (isinstance(value, bool) or not isinstance(value, kind)):
            expected = EXPECTED.get(name, "text")
            problems.append(_problem("E102", f"{where}: {name!r} must be {expected}."))
        elif isinstance(value, str) and not value.strip():
            problems.append(_problem("E102", f"{where}: {name!r} is empty."))
    url, timeout = spec.get("database_url"), spec.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(url, str) and url and not url.startswith(SCHEMES):
        scheme = url.split("://", 1)[0] if "://" in url else url[:20]
        problems.append(_problem("E103", f"{where}: {scheme!r} is not a PostgreSQL URL."))
    if isinstance(timeout, int | float) and not 0 < timeout <= MAX_TIMEOUT:
        problems.append(_problem("E102", f"{where}: 'timeout' is {timeout!r} seconds."))
    max_rows = spec.get("max_rows", DEFAULT_MAX_ROWS)
    if isinstance(max_rows, int) and max_rows < 1:
        problems.append(_problem("E102", f"{where}: 'max_rows' is {max_rows!r}."))
    return problems


EXPECTED = {"timeout": "a number of seconds", "max_rows": "a whole number of rows"}


def _problem(code: str, message: str) -> Error:
    hints = {
        "E101": f"Set {SETTING} to a JSON object: table -> source.",
        "E102": 'Each source is {"account": SLUG, "database_url": "postgres://...", "query": '
        f'"a SELECT of key and value", "timeout": SECONDS (optional: above 0, at most '
        f'{MAX_TIMEOUT:g}; default {DEFAULT_TIMEOUT:g}), "max_rows": N (optional: at least 1; '
        f"default {DEFAULT_MAX_ROWS:,})}}.",
        "E103": "Sources are read with psycopg: only PostgreSQL (postgres://...) is supported.",
    }
    return Error(message, hint=hints[code], id=f"autoreply.{code}")


def configured() -> dict[str, Source]:
    """Every configured source by table name; SyncError when the setting has problems."""
    sources, problems = parse(setting(SETTING))
    if problems:
        raise SyncError("\n".join(f"{p.id}: {p.msg}" for p in problems))
    return sources


def source(table: str) -> Source:
    """The source configured for `table`; SyncError naming the configured ones if none."""
    sources = configured()
    if table not in sources:
        known = ", ".join(sorted(sources)) or f"none (set {SETTING})"
        raise SyncError(f"no lookup source named {table!r}; configured: {known}")
    return sources[table]


def sync(table: str) -> Synced:
    """Replace `table`'s entries with what its source's query returns now."""
    started, found = time.monotonic(), source(table)
    where = f"lookup source {table!r} ({found.describe()})"
    if not Account.objects.filter(slug=found.account).exists():
        raise SyncError(f"{where}: no account with slug {found.account!r}")
    pairs = fetch(found, where)
    try:
        entries = tables.normalized_entries(pairs, where)
        # No lock on the account row: every webhook insert for the account takes a key
        # share on it. `store` serialises writers of one table with an advisory lock.
        account = Account.objects.get(slug=found.account)
        with changes_by(source=ChangeSource.SYNC, detail=found.describe()):
            counts = tables.store(account, table, entries, replace=True)
    except ValidationError as exc:
        raise SyncError(" ".join(exc.messages)) from None
    return Synced(found, len(pairs), counts, time.monotonic() - started)


def fetch(source: Source, where: str) -> list[tuple[str, str]]:
    """The query's first two columns as (key, value) text, read in a READ ONLY transaction."""
    try:
        return _read(source, where)
    except psycopg.errors.QueryCanceled:
        why = f"the query ran past its timeout of {source.timeout:g} s"
    except roles.RoleError as exc:
        why = str(exc)
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        why = f"the query must only read, and the source refused it: {_line(exc)}"
    except psycopg.errors.SyntaxError as exc:
        why = f"the query must be one valid SELECT: {_line(exc)}"
    except psycopg.Error as exc:
        why = _line(exc)
    raise SyncError(f"{where}: {why}")


def _line(exc: psycopg.Error) -> str:
    """The server's message without its multi-line context (LINE 1: ..., ^)."""
    return " ".join((exc.diag.message_primary or str(exc)).split())


def _read(source: Source, where: str) -> list[tuple[str, str]]:
    # Read-only even past an end of transaction, and no statement runs for ever.
    timeout_ms = max(1, round(source.timeout * 1000))
    options = f"-c default_transaction_read_only=on -c statement_timeout={timeout_ms}"
    with psycopg.connect(
        source.database_url, connect_timeout=CONNECT_TIMEOUT, options=options
    ) as conn:
        conn.read_only = True
        # Rolled back, never committed: even what a read-only transaction allows (a new
        # large object) leaves nothing behind.
        with conn.transaction(force_rollback=True), conn.cursor() as cursor:
            roles.check(cursor, source.table)
            # Closed before the transaction ends: an unfinished stream holds the connection.
            with closing(_rows(cursor, source, where)) as rows:
                return list(text_pairs(rows, where))


def _rows(cursor: psycopg.Cursor[Any], source: Source, where: str) -> Generator[tuple[Any, ...]]:
    """The query's rows, streamed a chunk at a time, refused past `max_rows`."""
    # The extended protocol refuses a second statement (`COMMIT; DELETE ...`).
    number = 0
    with closing(cursor.stream(source.query, size=CHUNK_ROWS)) as stream:  # type: ignore[type-var]
        for number, row in enumerate(stream, start=1):
            if number == 1:
                _check_columns(cursor, where)
            if number > source.max_rows:
                raise SyncError(
                    f"{where}: the query returns more than max_rows = {source.max_rows:,} "
                    "rows; narrow it, or raise max_rows in the source's settings"
                )
            yield row
    if number == 0:
        _check_columns(cursor, where)


def _check_columns(cursor: psycopg.Cursor[Any], where: str) -> None:
    columns = len(cursor.description or ())
    if columns < 2:
        raise SyncError(f"{where}: the query returns {columns} column(s), not key and value")


def text_pairs(rows: Iterable[tuple[Any, ...]], where: str) -> Iterator[tuple[str, str]]:
    """(key, value) as text; NULLs and cells that are not text, numbers or dates refused."""
    for number, row in enumerate(rows, start=1):
        key = _text(row[0], f"{where}, row {number}: the key")
        yield key, _text(row[1], f"{where}, row {number} (key {key!r}): the value")


def _text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, TEXT_LIKE) and not isinstance(value, bool):
        return str(value)
    kind = "NULL" if value is None else type(value).__name__
    raise SyncError(f"{what} is {kind}; select text (e.g. coalesce(x, '') or x::text)")
