"""One id per request, tying the access log's line to the app's lines for the same push.

Taken from the proxy's `X-Request-Id` (deploy/nginx sets it) when it is a sane token,
else made here; sent back as `X-Request-Id`, which gunicorn's access line prints.
"""

import random
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # gunicorn's master imports this (config/logs.py) before Django is set up
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-Id"
ENVIRON_KEY = "HTTP_X_REQUEST_ID"
SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")

current: ContextVar[str] = ContextVar("request_id", default="-")


def assign(environ: dict[str, Any]) -> str:
    """This request's id (the proxy's, or a new one), set as current for its log lines."""
    given = environ.get(ENVIRON_KEY, "")
    # Not secret, only distinct: the fast generator, not os.urandom's system call each time.
    request_id = given if SANE.fullmatch(given) else f"{random.getrandbits(64):016x}"
    current.set(request_id)
    return request_id


class RequestIdMiddleware:
    """The same for requests through Django's stack (the admin, /healthz)."""

    def __init__(self, get_response: Callable[["HttpRequest"], "HttpResponse"]) -> None:
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        request_id = assign(request.META)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response
