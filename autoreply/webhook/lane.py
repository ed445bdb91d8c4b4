"""The webhook's fast lane: /wechat/<slug>/ goes straight to autoreply.webhook.

WeChat's pushes are machine to machine: sessions, CSRF, auth, messages, clickjacking
headers and URL resolution do nothing for them but cost a large share of each request.
What of Django's defaults still matters here is done here, cheaply: the ALLOWED_HOSTS
check, `X-Content-Type-Options: nosniff`, and an unexpected error logged (as Django's
`django.request` logger would) and answered with a plain 500 that says nothing inside.
Everything else (the admin, /healthz) goes through Django's full stack.
"""

import functools
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import connections
from django.http.request import split_domain_port, validate_host

from autoreply import request_id
from autoreply.conf import webhook_database
from autoreply.outbound import follow_ups
from autoreply.webhook import batching, health, service

WEBHOOK_PATH = re.compile(r"/wechat/([-a-zA-Z0-9_]+)/?")
REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
NOSNIFF = ("X-Content-Type-Options", "nosniff")
# What Django allows when DEBUG is on and ALLOWED_HOSTS is empty (HttpRequest.get_host).
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]
BAD_HOST = service.Answer(b"the Host header names a host this server does not serve\n", status=400)
INTERNAL = service.Answer(b"the server failed to answer; WeChat will retry\n", status=500)

request_logger = logging.getLogger("django.request")
host_logger = logging.getLogger("django.security.DisallowedHost")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def with_webhook_lane(django_app: WSGIApp) -> WSGIApp:
    """A WSGI app serving the webhook itself and passing everything else to Django."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":  # any Host: a load balancer asks by IP
            return health.serve(environ, start_response)
        match = WEBHOOK_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if match is None:
            return django_app(environ, start_response)
        tag = request_id.assign(environ)
        batching.use(environ.get("wsgi.multithread", False))
        answer = answer_safely(match.group(1), environ)
        headers = [
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
            NOSNIFF,
            (request_id.HEADER, tag),
        ]
        start_response(f"{answer.status} {REASONS.get(answer.status, '')}", headers)
        return follow_ups.AfterResponse([answer.body])  # follow-ups once it is sent

    return application


def answer_safely(slug: str, environ: dict[str, Any]) -> service.Answer:
    """The service's answer; never an exception, which gunicorn would turn into HTML."""
    try:
        if not allowed_host(environ):
            return BAD_HOST
        return serve(slug, environ)
    except Exception:
        request_logger.exception(
            "Internal Server Error: %s", environ.get("PATH_INFO"), extra={"status_code": 500}
        )
        return INTERNAL


def allowed_host(environ: dict[str, Any]) -> bool:
    """Django's ALLOWED_HOSTS check (HttpRequest.get_host), without building a request."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    elif "HTTP_HOST" in environ:
        host = environ["HTTP_HOST"]
    else:  # as PEP 3333 reconstructs it
        host, port = environ.get("SERVER_NAME", ""), str(environ.get("SERVER_PORT", ""))
        scheme_port = "443" if environ.get("wsgi.url_scheme") == "https" else "80"
        host = host if port in ("", scheme_port) else f"{host}:{port}"
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = DEBUG_HOSTS
    if _valid_host(host, tuple(allowed)):
        return True
    host_logger.error("Invalid HTTP_HOST header: %r.", host[:200])
    return False


@functools.lru_cache(maxsize=64)
def _valid_host(host: str, allowed: tuple[str, ...]) -> bool:
    # Cached: a node sees one or two Host values, and Django's check is a regex and a
    # loop; bounded, so a flood of made-up hosts only evicts entries.
    domain, _ = split_domain_port(host)
    return bool(domain) and validate_host(domain, allowed)


def serve(slug: str, environ: dict[str, Any]) -> service.Answer:
    started = time.monotonic()
    raw_query = environ.get("QUERY_STRING", "").encode("latin-1", "replace")
    try:
        return service.handle(
            environ["REQUEST_METHOD"],
            slug,
            parse_qsl(raw_query.decode("utf-8", "replace"), keep_blank_values=True),
            environ["wsgi.input"].read,
            service.content_length(environ),
            started,
        )
    finally:
        # What Django's request_finished signal does for the one connection used here:
        # retire it if it broke or outlived CONN_MAX_AGE. (Never inside a transaction,
        # which only a test wrapping this call leaves open.)
        connection = connections[webhook_database()]
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
