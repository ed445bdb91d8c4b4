"""A gevent worker lends its database connections to each request (autoreply/lent_connections.py):
client connections that come and go do not each open PostgreSQL connections of their own."""

import time

import pytest
from django.db import connection

from autoreply.models import Message
from tests.factories import account, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import text

from .test_workers import webhook

pytestmark = pytest.mark.django_db(transaction=True)

CALLERS = 30


def sessions_opened_since(started: object) -> int:
    """PostgreSQL sessions this database has had since `started`, once those still open
    have ended (a backend reports its session by the time it exits)."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_start >= %s AND pid <> pg_backend_pid()",
                [started],
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def test_client_connections_that_come_and_go_share_the_workers_database_connections():
    acme = account("acme")
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        started = cursor.fetchone()[0]
    before = sessions_opened_since(started)
    with gunicorn(workers=1) as base:
        for caller in range(CALLERS):  # urllib: every request on a client connection of its own
            body = text("hi", from_user=f"oCaller{caller}")
            first = post(webhook(base), body)
            # A repeat is read on the request's own database connection, not the group
            # commit's: before lending, each of these opened one (and left it open).
            assert post(webhook(base), body) == first
            assert first[0] == 200 and b"hello" in first[1]
    opened = sessions_opened_since(started) - before
    assert Message.objects.filter(retries=1).count() == CALLERS
    # Starting up (its checks, the rules, the group commit) and one lent set took 7 here;
    # without lending, 74: one or two per caller.
    assert opened <= 10, f"{opened} PostgreSQL sessions for {CALLERS} client connections"
