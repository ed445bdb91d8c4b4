"""The fast lane keeps what matters of Django's defaults: ALLOWED_HOSTS, nosniff, and an
unexpected error logged with its traceback and answered with a plain 500."""

import logging

import pytest

from autoreply.models import Message
from autoreply.webhook import service
from tests import wsgi_client
from tests.wechat_client import signed_query, text


def post_as(host: str, body: bytes):
    return wsgi_client.call("POST", "/wechat/acme/", signed_query("spamtest"), body, host=host)


def test_a_host_not_in_allowed_hosts_is_400_and_nothing_stored(acme, settings):
    settings.ALLOWED_HOSTS = ["wechat.example.com"]
    response = post_as("evil.example.net", text("hi"))
    assert response.status_code == 400
    assert b"Host" in response.content
    assert not Message.objects.exists()
    assert post_as("wechat.example.com", text("hi")).status_code == 200
    assert post_as("wechat.example.com:8443", text("hi")).status_code == 200


def test_a_forwarded_host_counts_only_when_django_is_told_to_trust_it(settings):
    from autoreply.webhook.lane import allowed_host

    settings.ALLOWED_HOSTS = ["wechat.example.com"]
    environ = {"HTTP_HOST": "evil.example.net", "HTTP_X_FORWARDED_HOST": "wechat.example.com"}
    assert not allowed_host(environ)
    settings.USE_X_FORWARDED_HOST = True
    assert allowed_host(environ)
    assert allowed_host({"SERVER_NAME": "wechat.example.com", "SERVER_PORT": "80"})


def test_debug_with_no_allowed_hosts_allows_localhost_as_django_does(acme, settings):
    settings.ALLOWED_HOSTS = []
    settings.DEBUG = True
    assert post_as("localhost", text("hi")).status_code == 200
    assert post_as("example.com", text("hi")).status_code == 400


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/wechat/acme/", None, 200),
        ("/wechat/acme/", {"signature": "0"}, 403),
        ("/wechat/nobody/", None, 404),
    ],
)
def test_every_webhook_answer_says_nosniff(acme, path, query, status):
    response = wsgi_client.call("POST", path, query or signed_query("spamtest"), text("hi"))
    assert response.status_code == status
    assert response["X-Content-Type-Options"] == "nosniff"


def test_nosniff_on_a_bad_host_and_a_wrong_method(acme, settings):
    assert wsgi_client.call("PUT", "/wechat/acme/")["X-Content-Type-Options"] == "nosniff"
    settings.ALLOWED_HOSTS = ["wechat.example.com"]
    assert post_as("evil.example.net", text("hi"))["X-Content-Type-Options"] == "nosniff"


def test_an_unexpected_error_is_a_logged_plain_500_that_says_nothing_inside(
    bot, acme, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals at 0xdeadbeef")

    monkeypatch.setattr(service.responder, "respond", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = bot.post(text("hi"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    assert b"secret" not in response.content and b"<html" not in response.content.lower()
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None and "secret internals" in str(record.exc_info[1])
    assert record.status_code == 500  # type: ignore[attr-defined]
