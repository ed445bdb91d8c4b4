"""Who is changing things now, and from where, for every version recorded meanwhile.

Set once around a piece of work (a request to the admin, a command, a restore) rather than
passed through every importer: the importers record versions deep inside, and the admin's
file uploads reach them through code that need not know about history.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, HttpResponse

from autoreply.choices import ChangeSource


@dataclass(frozen=True)
class Author:
    user: Any = None  # the admin's user; None for commands, syncs and the worker
    source: ChangeSource | None = None  # None: the recording code's own default
    detail: str = ""


_NOBODY = Author()  # frozen: one shared default is safe
_current: ContextVar[Author] = ContextVar("autoreply_history_author", default=_NOBODY)
_KEEP = object()


def current() -> Author:
    return _current.get()


@contextmanager
def changes_by(
    user: Any = _KEEP, source: ChangeSource | None = None, detail: str = ""
) -> Iterator[Author]:
    """Attribute the versions recorded inside to `user` (kept from outside when not
    given), coming from `source`, with `detail` (e.g. the command and its file)."""
    outer = _current.get()
    author = replace(
        outer,
        user=outer.user if user is _KEEP else user,
        source=source or outer.source,
        detail=detail or outer.detail,
    )
    token = _current.set(author)
    try:
        yield author
    finally:
        _current.reset(token)


class AuthorMiddleware:
    """Versions recorded while the admin answers a request are the request's user's.

    The webhook never comes through here (gunicorn's fast lane, autoreply/webhook/lane.py),
    and the user is read only when a version is recorded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with changes_by(user=request.user):
            return self.get_response(request)
