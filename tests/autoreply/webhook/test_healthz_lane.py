"""/healthz through a real gunicorn: answered for any Host header (a load balancer asks by
the node's address, which ALLOWED_HOSTS does not list), to GET and HEAD."""

import http.client
import json
from urllib.parse import urlsplit

import pytest

from tests.gunicorn_server import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def ask(base: str, method: str, host: str, path: str = "/healthz") -> tuple[int, str, bytes]:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def test_healthz_answers_any_host_with_json():
    with gunicorn(workers=1) as base:
        status, content_type, body = ask(base, "GET", "10.1.2.3:8000")
        head = ask(base, "HEAD", "10.1.2.3")
        admin = ask(
            base, "GET", "10.1.2.3", "/admin/login/"
        )  # everything else keeps Django's host check
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body) == {"database": "ok", "migrations": "ok", "spool": 0, "worker": None}
    assert head[0] == 200 and head[2] == b""
    assert admin[0] == 400
