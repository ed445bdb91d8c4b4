"""One signed query carries one body (DESIGN's HTTP table): the same query with another
body inside the window is 403 and nothing is stored; WeChat's byte-identical retry is
fine. The database decides, so it holds across nodes."""

from urllib.parse import urlencode

import pytest
from django.db import connection

from autoreply.models import Message, SignedQuery
from autoreply.webhook import replays
from tests.factories import account, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text


def test_the_same_query_with_another_body_is_403(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    query = signed_query("spamtest")
    assert bot.post(text("hi", from_user="oReal"), query=query).status_code == 200
    forged = bot.post(text("hi", from_user="oForged"), query=query)
    assert forged.status_code == 403
    assert b"another body" in forged.content
    assert list(Message.objects.values_list("from_user", flat=True)) == ["oReal"]


def test_a_byte_identical_retry_is_answered_with_the_same_reply(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    query, body = signed_query("spamtest"), text("hi")
    first = bot.post(body, query=query)
    again = bot.post(body, query=query)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.content == again.content and b"hello" in first.content
    row = Message.objects.get()
    assert row.retries == 1


def test_an_encrypted_query_is_bound_to_its_body_too(bot, acme):
    first = bot.post_encrypted(text("hi"))
    assert first.status_code == 200
    assert SignedQuery.objects.filter(account=acme).count() == 1


def test_queries_are_per_account(bot, acme, wechat):
    """Two accounts with one token: the same query may reach each with its own body."""
    query = signed_query("spamtest")
    assert bot.post(text("a"), query=query).status_code == 200
    assert wechat.post(text("b"), query=query).status_code == 200


def test_a_refused_body_still_binds_the_query(bot, acme):
    """Whatever came first under a query is what it carried: a good body cannot follow."""
    query = signed_query("spamtest")
    assert bot.post(b"<xml>broken", query=query).status_code == 400
    assert bot.post(text("hi"), query=query).status_code == 403
    assert not Message.objects.exists()


def test_rows_past_the_window_are_pruned(bot, acme, settings):
    settings.WECHAT_TIMESTAMP_TOLERANCE = 300
    bot.post(text("a"))
    bot.post(text("b"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE autoreply_signedquery SET seen_at = now() - interval '601 seconds'"
            " WHERE query_hash = (SELECT query_hash FROM autoreply_signedquery LIMIT 1)"
        )
    assert replays.prune() == 1
    assert SignedQuery.objects.count() == 1


def test_the_window_is_twice_the_tolerance(settings):
    settings.WECHAT_TIMESTAMP_TOLERANCE = 300
    assert replays.window() == 600
    settings.WECHAT_TIMESTAMP_TOLERANCE = 0
    assert replays.window() == replays.KEEP_WITHOUT_WINDOW


@pytest.mark.django_db(transaction=True)
def test_the_database_decides_across_nodes():
    text_rule(account("acme"), "hi", "hello", ("exact", "hi"))
    query = urlencode(signed_query("spamtest"))
    body = text("hi", from_user="oReal")
    with gunicorn(workers=1) as one, gunicorn(workers=1) as two:
        assert post(f"{one}/wechat/acme/?{query}", body)[0] == 200
        assert post(f"{two}/wechat/acme/?{query}", body)[0] == 200  # the retry, elsewhere
        status, _ = post(f"{two}/wechat/acme/?{query}", text("hi", from_user="oForged"))
    assert status == 403
    row = Message.objects.get()
    assert (row.from_user, row.retries) == ("oReal", 1)


def test_while_the_database_cannot_check_a_query_the_push_is_let_through(
    bot, acme, monkeypatch, caplog
):
    """Refusing would lose real messages during an outage (DESIGN: nothing lost). A push
    the usual path stores binds its query in the same statement, so the outage spools it;
    a cooldown's push binds on its own first, which is what fails here."""
    from django.db import connections

    default = connections["default"]
    down = type(default)({**default.settings_dict, "PORT": "1"}, "default")  # nothing listens
    monkeypatch.setattr(connections._connections, "down", down, raising=False)
    monkeypatch.setattr(replays, "webhook_database", lambda: "down")
    text_rule(acme, "hi", "hello", ("exact", "hi"), cooldown_seconds=60)
    response = bot.post(text("hi"))
    assert (response.status_code, b"hello" in response.content) == (200, True)
    assert Message.objects.count() == 1
    assert any("let through" in r.getMessage() for r in caplog.records)
