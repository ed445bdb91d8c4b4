"""Cutting off a statement the database never answers.

statement_timeout is the server's own clock: a frozen server (SIGSTOP, a stalled VM, a
network that swallows packets) never fires it, and its kernel keeps the TCP connection
alive, so neither libpq nor TCP keepalives notice. One thread per process watches the
armed connections and shuts down the socket of one that overran its deadline: the blocked
libpq call then returns with an error at once, and the push goes to the spool.

Arming costs two attribute writes; the thread wakes (every TICK) only while something is
armed.
"""

import logging
import os
import select
import socket
import threading
import time
import weakref
from typing import Any

logger = logging.getLogger(__name__)

TICK = 0.05


class Watchdog:
    def __init__(self) -> None:
        self._watched: weakref.WeakSet[Any] = weakref.WeakSet()
        self._busy = threading.Event()
        self._pid = 0  # the process whose thread runs: threads do not survive fork()
        self._lock = threading.Lock()

    def watch(self, holder: Any) -> None:
        """Make `holder` (anything with an `armed` attribute) one of the watched."""
        holder.armed = None
        self._watched.add(holder)

    def arm(self, holder: Any, fileno: int, seconds: float) -> None:
        holder.armed = (time.monotonic() + seconds, fileno)
        if not self._busy.is_set():
            self._wake()

    def _wake(self) -> None:
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()
        self._busy.set()

    def _run(self) -> None:
        while True:
            self._busy.wait()
            time.sleep(TICK)
            if not self._check():
                self._busy.clear()
                if self._check():  # armed between the check and the clear
                    self._busy.set()

    def _check(self) -> bool:
        """Cut what overran; whether anything is still armed."""
        now, armed_any = time.monotonic(), False
        for holder in list(self._watched):
            armed = holder.armed
            if armed is None:
                continue
            armed_any = True
            if now >= armed[0] and holder.armed is armed and not _answered(armed[1]):
                holder.armed = None
                _cut(armed[1])
        return armed_any


def _answered(fileno: int) -> bool:
    """Whether the server's answer is already waiting in the socket, unread: what waits
    for it has not run since, as when a gevent worker spent a stretch of CPU elsewhere (a
    rules rebuild). Cut, its push would be spooled though the database had answered; left,
    it is read now, or, if that was only part of the answer, cut at a later check."""
    try:
        readable, _, _ = select.select([fileno], [], [], 0)
    except (OSError, ValueError):  # closed meanwhile
        return False
    return bool(readable)


def _cut(fileno: int) -> None:
    logger.warning("the database did not answer in time: cutting its connection")
    try:
        with socket.socket(fileno=os.dup(fileno)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed: nothing left to cut
        pass


watchdog = Watchdog()
