"""The breaker, its bounded probe and the watchdog, against real sockets and the real
test database: a server that accepts but never answers is given up on in time."""

import socket
import threading
import time

import pytest
from django.db import OperationalError, connection

from autoreply.webhook import breaker as breaker_module
from autoreply.webhook.backend.base import libpq_conninfo
from autoreply.webhook.breaker import Breaker, DatabaseAway, probe
from autoreply.webhook.watchdog import Watchdog


def test_a_probe_gives_up_on_a_server_that_accepts_and_never_answers():
    with socket.socket() as frozen:  # the kernel completes the handshake; nobody answers
        frozen.bind(("127.0.0.1", 0))
        frozen.listen(8)
        port = frozen.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(OperationalError, match=r"no connection within 0\.3 s"):
            probe(f"host=127.0.0.1 port={port} dbname=x user=x connect_timeout=10", 0.3)
        assert time.monotonic() - started < 0.6


def test_a_probe_of_a_port_nobody_listens_on_fails_at_once():
    started = time.monotonic()
    with pytest.raises(OperationalError):
        probe("host=127.0.0.1 port=1 dbname=x user=x", 0.5)
    assert time.monotonic() - started < 0.3


def test_the_breaker_stays_away_after_a_failure_then_one_probe_closes_it(db, monkeypatch):
    monkeypatch.setattr(breaker_module, "OPEN_SECONDS", 0.2)
    guard, recovered, asked = Breaker(), [], []
    guard.on_recovery.append(lambda: recovered.append(True))
    real = libpq_conninfo(connection.get_connection_params())

    def conninfo() -> str:
        asked.append(True)
        return real

    guard.trip("a test")
    with pytest.raises(DatabaseAway):
        guard.admit(conninfo)
    assert not asked  # open: not even tried
    time.sleep(0.25)
    guard.admit(conninfo)  # the probe reaches the real database
    assert guard.closed and asked == [True] and recovered == [True]


class Holder:
    """What the watchdog watches: a database connection, here a bare socket's owner."""

    armed: tuple[float, int] | None = None


def test_the_watchdog_cuts_a_connection_that_does_not_answer_in_time():
    ours, theirs = socket.socketpair()
    watchdog, holder = Watchdog(), Holder()
    watchdog.watch(holder)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(ours.recv(10)))
    started = time.monotonic()
    reader.start()
    watchdog.arm(holder, ours.fileno(), 0.1)
    reader.join(timeout=2)
    elapsed = time.monotonic() - started
    ours.close()
    theirs.close()
    assert got == [b""] and elapsed < 0.5  # shut down: the blocked read returns at once


def test_the_watchdog_leaves_an_answer_waiting_unread_and_cuts_once_it_is_read():
    """Overdue, but the server's answer is in the socket: what waits for it has not run
    yet (a gevent worker busy elsewhere), so the connection is not cut and stays usable
    for the next statement. Once that part is read and nothing more comes, it is cut."""
    ours, theirs = socket.socketpair()
    watchdog, holder = Watchdog(), Holder()
    watchdog.watch(holder)
    theirs.sendall(b"answer")
    watchdog.arm(holder, ours.fileno(), 0.05)
    time.sleep(0.4)  # several of the watchdog's checks past the deadline
    ours.sendall(b"next")  # a cut connection refuses this (EPIPE)
    sent = theirs.recv(10)
    first = ours.recv(10)
    ours.settimeout(2)
    rest = ours.recv(10)  # nothing more comes: cut at the next check
    ours.close()
    theirs.close()
    assert sent == b"next" and first == b"answer" and rest == b""
