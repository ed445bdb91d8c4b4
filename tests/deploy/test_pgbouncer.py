"""Two nodes through a real PgBouncer (Debian's) in transaction pooling, as README's
"Scaling out" recommends: dedup and rule changes stay consistent, decided by the database."""

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from autoreply.models import Message
from tests.factories import account, text_rule
from tests.gunicorn_server import free_port, gunicorn, post
from tests.wechat_client import signed_query, text

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not Path(PGBOUNCER).exists(), reason="pgbouncer is not installed (bin/test installs it)"
    ),
]


def as_postgres() -> list[str]:
    """PgBouncer, like PostgreSQL, will not run as root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture
def bouncer() -> Iterator[str]:
    """PgBouncer in front of the test database; yields its base URL (without a dbname)."""
    # Not pytest's tmp_path: its parents are closed to the postgres user.
    with tempfile.TemporaryDirectory(prefix="autoreply-pgbouncer-") as folder:
        yield from _bouncer(Path(folder))


def _bouncer(tmp_path: Path) -> Iterator[str]:
    db = connection.settings_dict
    port = free_port()
    target = f"host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}"
    timeouts = "SET statement_timeout = 3000; SET lock_timeout = 3000"
    (tmp_path / "users.txt").write_text(f'"{db["USER"]}" ""\n')
    (tmp_path / "pgbouncer.ini").write_text(
        f"""[databases]
autoreply = {target}
autoreply_webhook = {target} connect_query='{timeouts}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {tmp_path}/users.txt
pool_mode = transaction
default_pool_size = 8
max_client_conn = 200
logfile = {tmp_path}/pgbouncer.log
pidfile = {tmp_path}/pgbouncer.pid
"""
    )
    os.chmod(tmp_path, 0o777)  # the postgres user writes its log and pid file here
    process = subprocess.Popen([*as_postgres(), PGBOUNCER, str(tmp_path / "pgbouncer.ini")])
    try:
        wait_for_port(port, process)
        yield f"postgres://{db['USER']}@127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 10) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "pgbouncer exited"
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("pgbouncer did not listen")


def nodes(stack: ExitStack, bouncer: str, count: int = 2) -> list[str]:
    env = {
        "DATABASE_URL": f"{bouncer}/autoreply",
        "WEBHOOK_DATABASE_URL": f"{bouncer}/autoreply_webhook",
        "DATABASE_POOL_MODE": "transaction",
    }
    return [stack.enter_context(gunicorn(workers=2, **env)) for _ in range(count)]


def url(base: str) -> str:
    return f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}"


def test_identical_deliveries_over_two_nodes_store_one_row(bouncer):
    text_rule(account("acme"), "hi", "hello", ("exact", "hi"))
    body, query = text("hi"), urlencode(signed_query("spamtest"))
    with ExitStack() as stack:
        bases = nodes(stack, bouncer)
        targets = [f"{bases[i % 2]}/wechat/acme/?{query}" for i in range(20)]
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda target: post(target, body), targets))
    assert {status for status, _ in answers} == {200}
    row = Message.objects.get()
    assert row.retries == 19
    assert {content for _, content in answers if content != b"success"} == {row.reply.encode()}


def test_a_rule_change_answers_on_both_nodes_within_a_second(bouncer):
    rule = text_rule(account("acme"), "hi", "version one", ("exact", "hi"))
    with ExitStack() as stack:
        bases = nodes(stack, bouncer)
        for base in bases * 6:  # warm every worker of both nodes on the old rules
            assert b"version one" in post(url(base), text("hi"))[1]
        rule.replies.update(content="version two")
        time.sleep(1.0)
        answers = [post(url(base), text("hi"))[1] for base in bases * 8]
    assert all(b"version two" in answer for answer in answers), answers
