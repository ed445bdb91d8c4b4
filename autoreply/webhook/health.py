"""What /healthz reports: can this node take pushes safely?

Yes while the database answers and no migration is pending, and also while the database
is away but the spool takes pushes (a load balancer must not drop every node during a
database outage). No when migrations are pending, or the database is away and the spool
cannot be written. Served ahead of Django's host check (a load balancer asks by the
node's address), by the fast lane and by the Django view alike.
"""

import json
import logging
import select
from typing import Any

from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader

from autoreply.outbound import heartbeat
from autoreply.webhook import recording, spool

logger = logging.getLogger(__name__)

JSON = "application/json"


class Migrations:
    """The migrations on disk (read once per process) against those the database has."""

    def __init__(self) -> None:
        self._on_disk: set[tuple[str, str]] | None = None
        # None until the database answered this process once: reported as pending, since a
        # worker that never reached its database has no accounts loaded to answer with.
        self.last: str | None = None

    def state(self, connection: Any) -> str:
        if self._on_disk is None:
            self._on_disk = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
        self.last = "ok" if self._on_disk <= applied else "pending"
        return self.last


migrations = Migrations()


def worker_heartbeat(database: str) -> str | None:
    """When a background worker (`manage.py worker`) last said it is alive (ISO 8601), or
    None: never, or not known while the database is away."""
    if database != "ok":
        return None
    try:
        seen = heartbeat.last()
    except DatabaseError:
        return None
    return seen.isoformat() if seen else None


def report() -> tuple[int, dict[str, Any]]:
    """The HTTP status and the JSON body of /healthz."""
    connection = connections[recording.database()]
    _drop_if_closed_by_server(connection)
    database = "down"
    try:  # through the breaker: no wait while it is open, a bounded probe when it may close
        migrations.state(connection)
        database = "ok"
    except DatabaseError as error:  # one line: a load balancer asks every few seconds
        logger.warning("health check: the database does not answer: %s", error)
    body = {
        "database": database,
        "migrations": migrations.last or "pending",
        "spool": spool.depth(),
        "worker": worker_heartbeat(database),
    }
    safe = body["migrations"] == "ok" and (database == "ok" or spool.writable())
    return (200 if safe else 503), body


def _drop_if_closed_by_server(connection: Any) -> None:
    """An idle connection with something to read was ended by the server (a restart):
    close it rather than fail the check on it. A threaded worker's pushes are stored on
    its committer's connection, so this thread's may have sat idle through a restart."""
    try:
        fileno = connection.connection.pgconn.socket
    except Exception:  # not connected (nothing to drop), or already broken
        fileno = None
    if fileno is not None and select.select([fileno], [], [], 0)[0]:
        connection.close()


def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """/healthz as a WSGI app, for the fast lane: before Django's ALLOWED_HOSTS check."""
    method = environ.get("REQUEST_METHOD")
    if method not in ("GET", "HEAD"):
        status, content = 405, b'{"error": "GET or HEAD only"}\n'
    else:
        status, body = report()
        content = _json(body)
        connections[recording.database()].close_if_unusable_or_obsolete()
    reason = {200: "OK", 405: "Method Not Allowed", 503: "Service Unavailable"}[status]
    headers = [
        ("Content-Type", JSON),
        ("Content-Length", str(len(content))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    start_response(f"{status} {reason}", headers)
    return [] if method == "HEAD" else [content]


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode() + b"\n"
