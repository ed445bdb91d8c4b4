"""Access tokens in PostgreSQL: one fetch for every thread and process, refreshed once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from autoreply.models import AccessToken
from autoreply.outbound import tokens
from tests.factories import account
from wechat import replies
from wechat.errors import InvalidTokenError

pytestmark = pytest.mark.django_db(transaction=True)


def fresh_token(acme):
    try:
        return tokens.access_token(acme)
    finally:
        connection.close()  # each pool thread has its own connection


def test_ten_threads_at_once_cause_one_fetch(standin):
    acme = account("acme", app_secret="s3cret")
    with ThreadPoolExecutor(max_workers=10) as pool:
        got = set(pool.map(lambda _: fresh_token(acme), range(10)))
    assert len(got) == 1
    assert standin.stats["token_fetches"] == 1
    assert AccessToken.objects.get(account=acme).fetches == 1


def test_a_stored_token_is_refreshed_ahead_of_its_expiry(standin):
    acme = account("acme", app_secret="s3cret")
    first = tokens.access_token(acme)
    AccessToken.objects.update(expires_at=timezone.now() + timedelta(minutes=4))
    assert tokens.access_token(acme) == first  # WeChat still has it: the stable token
    assert standin.stats["token_fetches"] == 2
    assert AccessToken.objects.get().expires_at > timezone.now() + timedelta(hours=1)


def test_a_refused_token_is_refreshed_once_and_the_call_retried_once(standin):
    acme = account("acme", app_secret="s3cret")
    client = tokens.client()
    stale = tokens.access_token(acme)
    standin.steer("/_standin/expire", {})
    tokens.call(acme, lambda token: client.send(token, "oF", replies.TextReply("hi")))
    assert [m["text"]["content"] for m in standin.sent("oF")] == ["hi"]
    assert standin.stats["token_fetches"] == 2
    assert AccessToken.objects.get().token != stale


def test_a_second_refusal_is_not_retried_again(standin):
    acme = account("acme", app_secret="s3cret")
    tokens.access_token(acme)
    calls = []

    def refused(token):
        calls.append(token)
        raise InvalidTokenError(40001, "invalid credential")

    with pytest.raises(InvalidTokenError):
        tokens.call(acme, refused)
    assert len(calls) == 2 and calls[0] != calls[1]


def test_no_app_secret_is_said_plainly(standin):
    acme = account("acme")
    with pytest.raises(tokens.NoAppSecret, match="no AppSecret"):
        tokens.access_token(acme)
    assert standin.stats["token_fetches"] == 0


def test_the_token_is_never_logged(standin, caplog):
    acme = account("acme", app_secret="s3cret")
    caplog.set_level("DEBUG")
    token = tokens.access_token(acme)
    standin.steer("/_standin/expire", {})
    tokens.call(acme, lambda t: tokens.client().send(t, "oF", replies.TextReply("x")))
    assert token not in caplog.text
    assert AccessToken.objects.get().token not in caplog.text
    assert "s3cret" not in caplog.text


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("WECHAT_API_BASE_URL", "api.weixin.qq.com", "autoreply.E201"),
        ("WECHAT_API_BASE_URL", "ftp://127.0.0.1", "autoreply.E201"),
        ("AUTOREPLY_SEND_RETRY_SECONDS", 0, "autoreply.E202"),
    ],
)
def test_bad_outbound_settings_are_caught_at_start_up(settings, name, value, check_id):
    from django.core.checks import run_checks

    assert check_id not in {e.id for e in run_checks()}
    setattr(settings, name, value)
    assert check_id in {e.id for e in run_checks()}
