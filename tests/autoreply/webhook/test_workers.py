"""Several gunicorn worker processes against one real PostgreSQL: the database, not any
process, decides what is a retry; rule changes reach every worker within a second."""

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest

from autoreply.models import Message
from tests.factories import account, rule, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text

pytestmark = pytest.mark.django_db(transaction=True)


def webhook(base: str, slug: str = "acme") -> str:
    return f"{base}/wechat/{slug}/?{urlencode(signed_query('spamtest'))}"


def test_twenty_concurrent_deliveries_of_one_message_store_one_row():
    acme = account("acme")
    rule(acme, "hi", keywords=(("exact", "hi"),), replies=("one", "two", "three"))
    body = text("hi")
    with gunicorn(workers=4) as base:
        url = webhook(base)
        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(lambda _: post(url, body), range(20)))
    assert {status for status, _ in answers} == {200}
    row = Message.objects.get()
    assert row.retries == 19
    replies = {content for _, content in answers if content != b"success"}
    assert replies == {row.reply.encode()}  # every reply is the stored one, at least one sent


def test_rule_changes_reach_every_worker_within_a_second():
    acme = account("acme")
    hello = text_rule(acme, "hello", "version one", ("exact", "hello"))
    with gunicorn(workers=3) as base:
        for _ in range(12):  # warm every worker on the old rules
            assert b"version one" in post(webhook(base), text("hello"))[1]
        hello.replies.update(content="version two")
        time.sleep(1.0)
        answers = [post(webhook(base), text("hello"))[1] for _ in range(24)]
    assert all(b"version two" in answer for answer in answers), answers


def test_a_hung_database_cannot_hold_an_answer_past_the_deadline():
    """A lock held elsewhere stalls the insert; the statement is cut off and the follower
    still gets the answer (and the push is spooled), well inside WeChat's 5 seconds; the
    spooled push is stored once the lock is gone."""
    from django.db import connections, transaction

    acme = account("acme")
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    with gunicorn(workers=2, WECHAT_REPLY_DEADLINE="1") as base:
        post(webhook(base), text("hi", from_user="oLocked"))
        with transaction.atomic():
            connections["default"].cursor().execute(
                "SELECT * FROM autoreply_follower WHERE openid = 'oLocked' FOR UPDATE"
            )
            started = time.monotonic()
            status, content = post(webhook(base), text("hi", from_user="oLocked"))
            elapsed = time.monotonic() - started
        give_up = time.monotonic() + 10
        while Message.objects.count() < 2 and time.monotonic() < give_up:
            time.sleep(0.1)
    assert status == 200 and b"hello" in content
    assert elapsed < 1.5
    assert "could not store the push" in gunicorn.last_log
    assert Message.objects.count() == 2, (
        gunicorn.last_log
    )  # the first, and the spooled one replayed
    assert Message.objects.filter(from_user="oLocked", reply__contains="hello").count() == 2
