"""A gevent worker's database connections, lent to each request rather than owned by a
greenlet.

Django keeps one connection per database per thread, and under gevent
(config/gunicorn.py) each client connection is served by a greenlet of its own, which
Django takes for a thread. So every new client connection whose requests needed the
database (a repeat delivery, a cooldown, a rule change to check) opened PostgreSQL
connections of its own: a new backend process each, about 10 ms of PostgreSQL's CPU
(bench/README), and they stayed open until the collector found the dead greenlet.

Instead, the worker keeps idle sets of connections (one per database alias, Django's own
DatabaseWrapper with everything it does: CONN_MAX_AGE, the webhook's breaker, watchdog
and prepared statements). A request borrows one set for as long as it is served, its
response's close() included, and gives it back: a worker holds at most one set per
request it serves at once (WEB_CONNECTIONS), however many client connections come and go.

Threads (gthread, sync) live as long as their worker, so their connections are left to
Django: lending is switched on by the gevent worker only (`lend_from_now_on`).
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Lent = dict[str, BaseDatabaseWrapper]

_idle: list[Lent] = []
_lending = False


def lend_from_now_on() -> None:
    """Lend connections to this process's requests (a gevent worker, once it has started)."""
    global _lending
    _lending = True


def around(app: WSGIApp) -> WSGIApp:
    """`app`, each of its requests served on connections lent for its length."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not _lending:
            return app(environ, start_response)
        lent = _borrow()
        try:
            return _Returning(app(environ, start_response), lent)
        except BaseException:
            _give_back(lent)
            raise

    return application


class _Returning:
    """A response body that gives the connections back once the server has closed it."""

    def __init__(self, body: Iterable[bytes], lent: Lent) -> None:
        self.body, self.lent = body, lent

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()  # Django's request_finished and our follow-ups still use them here
        finally:
            _give_back(self.lent)


def _borrow() -> Lent:
    lent = _idle.pop() if _idle else _new_set()
    for alias, wrapper in lent.items():
        connections[alias] = wrapper
    return lent


def _new_set() -> Lent:
    lent = {alias: connections.create_connection(alias) for alias in connections.settings}
    for wrapper in lent.values():
        wrapper.inc_thread_sharing()  # one greenlet at a time, but not always the same one
    return lent


def _give_back(lent: Lent) -> None:
    for alias, wrapper in lent.items():
        if connections[alias] is wrapper:
            del connections[alias]
    if any(wrapper.in_atomic_block for wrapper in lent.values()):
        # Only a greenlet killed inside a transaction leaves one open: never lend that on.
        for wrapper in lent.values():
            wrapper.close()
        return
    _idle.append(lent)
