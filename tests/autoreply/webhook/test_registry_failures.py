"""A failed rebuild keeps answering with the previous state (issue 9, defect 3): whatever
an account's build raises, POSTs and the URL check never become gunicorn's HTML 500."""

import logging

import pytest

from autoreply.models import Message
from autoreply.rules import loading
from tests.factories import account, rule, text_rule
from tests.gunicorn_server import gunicorn
from tests.wechat_client import signed_query, text

OVERFLOWING = "a{4294967296}"  # re.compile raises OverflowError, not re.error


def test_an_overflowing_stored_regex_never_stops_the_url_check_or_a_push(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    rule(acme, "bad", keywords=(("regex", OVERFLOWING),), replies=("never",))
    check = bot.get(signed_query("spamtest", echostr="e123"))
    assert (check.status_code, check.content) == (200, b"e123")
    response = bot.post(text("hi"))
    assert response.status_code == 200
    assert Message.objects.get().text == "hi"


def test_a_stored_regex_that_overflows_leaves_the_other_rules_answering(bot, acme):
    """Today the registry keeps the rules it had; once rules/loading.py skips a rule that
    fails to compile for any reason, the rebuild leaves only that rule out. Either way
    the good rule answers."""
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    assert b"hello" in bot.post(text("hi")).content
    rule(acme, "bad", keywords=(("regex", OVERFLOWING),), replies=("never",))  # bumps revision
    response = bot.post(text("hi"))
    assert response.status_code == 200
    assert b"hello" in response.content
    assert Message.objects.count() == 2


def test_any_exception_in_a_rebuild_keeps_the_previous_state(bot, acme, monkeypatch, caplog):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    assert b"hello" in bot.post(text("hi")).content

    def broken(*args, **kwargs):
        raise RuntimeError("the rulebook broke")

    monkeypatch.setattr(loading, "load_index", broken)
    text_rule(acme, "later", "later", ("exact", "later"))  # bumps the revision
    with caplog.at_level(logging.ERROR, logger="autoreply.webhook.registry"):
        assert b"hello" in bot.post(text("hi")).content
        assert bot.post(text("later")).content == b"success"  # not loaded: the old rules
    check = bot.get(signed_query("spamtest", echostr="e1"))
    assert (check.status_code, check.content) == (200, b"e1")
    (record,) = [r for r in caplog.records if "failed to load" in r.getMessage()]
    assert record.exc_info is not None  # with its traceback


def test_with_no_previous_state_a_failing_rulebook_leaves_the_rules_out(bot, acme, monkeypatch):
    text_rule(acme, "hi", "hello", ("exact", "hi"))

    def broken(*args, **kwargs):
        raise OverflowError("regular expression code size limit exceeded")

    monkeypatch.setattr(loading, "load_index", broken)
    check = bot.get(signed_query("spamtest", echostr="e2"))
    assert (check.status_code, check.content) == (200, b"e2")
    assert bot.post(text("hi")).content == b"success"
    assert Message.objects.get().status == "no_rule"


@pytest.mark.django_db(transaction=True)
def test_an_overflowing_regex_through_gunicorn_is_never_an_html_500():
    import urllib.request
    from urllib.parse import urlencode

    from tests.gunicorn_server import post

    acme = account("acme")
    rule(acme, "bad", keywords=(("regex", OVERFLOWING),), replies=("never",))
    with gunicorn(workers=1) as base:
        url = f"{base}/wechat/acme/?{urlencode(signed_query('spamtest', echostr='e3'))}"
        with urllib.request.urlopen(url, timeout=10) as check:
            assert (check.status, check.read()) == (200, b"e3")
        status, _ = post(f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}", text("x"))
    assert status == 200
    assert Message.objects.count() == 1
