"""Calling the production WSGI application (config.wsgi) in-process, as gunicorn would.

Unlike Django's test client, this goes through our own WSGI entry point, so the
webhook's fast lane is what the tests exercise.
"""

import io
from dataclasses import dataclass, field
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

from django.core import signals
from django.db import close_old_connections


@dataclass
class Response:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


def call(
    method: str,
    path: str,
    query: dict[str, str] | list[tuple[str, str]] | None = None,
    body: bytes = b"",
    content_type: str = "text/xml",
    host: str = "testserver",
) -> Response:
    """`query` as a dict, or as (name, value) pairs to repeat a name."""
    from config.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": urlencode(query or {}),
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_HOST": host,
    }
    setup_testing_defaults(environ)
    response = Response(0)

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        response.status_code = int(status.split()[0])
        response.headers = {name.lower(): value for name, value in headers}

    # As Django's test client does: the test's transaction must outlive the "request".
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        response.content = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return response
