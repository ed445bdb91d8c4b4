"""The webhook's fast lane: /wechat/<slug>/ goes straight to autoreply.webhook.

WeChat's pushes are machine to machine: sessions, CSRF, auth, messages, clickjacking
headers and URL resolution do nothing for them but cost a large share of each request.
Everything else (the admin, /healthz) goes through Django's full stack.
"""

import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from django.db import connections

from autoreply.outbound import follow_ups
from autoreply.views import content_length
from autoreply.webhook import recording, service

WEBHOOK_PATH = re.compile(r"/wechat/([-a-zA-Z0-9_]+)/?")
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 413: "Payload Too Large", 500: "Internal Server Error",
           503: "Service Unavailable"}  # fmt: skip

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_webhook_lane(django_app: WSGIApp) -> WSGIApp:
    """A WSGI app serving the webhook itself and passing everything else to Django."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = WEBHOOK_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return django_app(environ, start_response)
        answer = serve(match.group(1), environ)
        start_response(f"{answer.status} {REASONS.get(answer.status, '')}", [
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
        ])  # fmt: skip
        return follow_ups.AfterResponse([answer.body])  # h5: follow-ups once it is sent

    return application


def serve(slug: str, environ: dict[str, Any]) -> service.Answer:
    started = time.monotonic()
    raw_query = environ.get("QUERY_STRING", "").encode("latin-1", "replace")
    try:
        return service.handle(
            environ["REQUEST_METHOD"], slug,
            dict(parse_qsl(raw_query.decode("utf-8", "replace"), keep_blank_values=True)),
            environ["wsgi.input"].read, content_length(environ), started,
        )  # fmt: skip
    finally:
        # What Django's request_finished signal does for the one connection used here:
        # retire it if it broke or outlived CONN_MAX_AGE. (Never inside a transaction,
        # which only a test wrapping this call leaves open.)
        connection = connections[recording.database()]
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
