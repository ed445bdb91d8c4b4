"""Group commit: the pushes one process is storing at the same moment share one COMMIT.

A durable commit waits for PostgreSQL to flush its WAL; with workers that serve several
pushes at once (gevent's greenlets or gthread's threads, config/gunicorn.py) several
pushes of one process wait at once, each for a flush of its own, and each costs
PostgreSQL a commit. Instead, each hands its one statement (recording.BOUND) to the
process's committer thread (a greenlet, with gevent) and waits for its own result; the
committer runs whatever has queued up in one transaction, sent as one pipeline, and
commits once. Nothing waits on a timer: while one batch commits, the next gathers, so a
lone push is not delayed and a busy process commits in larger batches.

What holds as without it:
- stored before answered: a push's result is handed back only after the COMMIT;
- exactly once: each push is its own statement, so two deliveries of one key in a batch
  behave as two in a row: the second finds the first's row and is answered as a repeat;
- one failure fails the batch: every push of it gets the error, and each goes to the
  spool as a failed single insert does; a batch that does not finish within WAIT_SECONDS
  (the watchdog cuts a hung one after HANG_SECONDS) is a failure too;
- followers' rows are locked in one order (a batch runs sorted by account and follower),
  so two processes' batches cannot deadlock on them.

Used only by a concurrent server (`wsgi.multithread`, told by the lane; gevent's worker
sets it too) and never inside a transaction (a test's): a sync worker stores one push at
a time, with nothing to share.
"""

import os
import threading
from typing import Any

from django.db import DatabaseError, OperationalError, connections

from autoreply.conf import webhook_database
from autoreply.webhook.backend.base import HANG_SECONDS
from autoreply.webhook.statements import Prepared

MOST = 64  # pushes in one batch: bounds a batch's time under the watchdog's cut-off
WAIT_SECONDS = HANG_SECONDS * 4  # a batch queued behind one that hangs, then its own

Result = tuple[Any, ...] | None
Order = tuple[int, str]  # account, follower


class _Waiting:
    """One push's place in a batch: its result or error, once the batch is done.

    Lighter than a concurrent.futures.Future (its state machine, callbacks and Condition):
    a push waits on one Event, which under gevent is gevent's own."""

    __slots__ = ("done", "error", "row")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.row: Result = None
        self.error: BaseException | None = None


class Committer:
    """One statement's batches, run by a thread of each process that uses it."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self._queue: list[tuple[Order, list[object], _Waiting]] = []
        self._ready = threading.Condition(threading.Lock())  # never re-entered: no RLock
        self._pid = 0  # threads do not survive fork(): started again in each worker
        self._stopping = False
        self._thread: threading.Thread | None = None

    def run(self, order: Order, params: list[object]) -> Result:
        """Run the statement with `params` in the next batch; its first row, once committed.
        `order` sorts the batch (the rows it locks)."""
        waiting = _Waiting()
        with self._ready:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._serve, name="commit", daemon=True)
                self._thread.start()
            self._queue.append((order, params, waiting))
            self._ready.notify()
        if not waiting.done.wait(WAIT_SECONDS):
            raise OperationalError(f"the group commit did not finish within {WAIT_SECONDS:.0f} s")
        if waiting.error is not None:
            raise waiting.error
        return waiting.row

    def stop(self) -> None:
        """End the thread once the queue is empty, closing its connection (for tests)."""
        with self._ready:
            self._stopping = True
            self._ready.notify()
        if self._thread is not None:
            self._thread.join()

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._stopping:
                    self._ready.wait()
                if not self._queue:
                    self._stopping, self._pid = False, 0
                    connections[webhook_database()].close()
                    return
                batch, self._queue = self._queue[:MOST], self._queue[MOST:]
            batch.sort(key=lambda item: item[0])  # stable: a key's deliveries keep their order
            try:
                rows = self._commit([params for _, params, _ in batch])
            except Exception as error:  # each push decides what an error means for it
                for _, _, waiting in batch:
                    waiting.error = error
                    waiting.done.set()
            else:
                for (_, _, waiting), row in zip(batch, rows, strict=True):
                    waiting.row = row
                    waiting.done.set()

    def _commit(self, batch: list[list[object]]) -> list[Result]:
        connection = connections[webhook_database()]  # this thread's own
        try:
            return self.prepared.first_rows_in_one_transaction(connection, batch)
        except DatabaseError:
            # Whatever state it was left in (a cut socket, an aborted transaction), the
            # next batch starts on a fresh connection.
            connection.close()
            raise


_threaded = False


def use(threaded: bool) -> None:
    """Whether this process's server runs requests concurrently (its `wsgi.multithread`)."""
    global _threaded
    _threaded = threaded


def wanted() -> bool:
    """Whether to batch: a concurrent server, and not inside a transaction."""
    return _threaded and not connections[webhook_database()].in_atomic_block
