"""Reply all (回复全部) and late answers, end to end: gunicorn, workers, the stand-in."""

import io
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.exceptions import ValidationError

from autoreply.models import Message, OutboundMessage
from tests.autoreply.outbound.conftest import wait_for, workers
from tests.factories import account, rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import WeChatClient, signed_query, text
from wechat.replies import TextReply, parse_reply

pytestmark = pytest.mark.django_db(transaction=True)

THREE = ("one", "two", "three")


def reply_all_account():
    acme = account("acme", app_secret="s3cret")
    rule(acme, "all", keywords=(("exact", "全部"),), replies=THREE, reply_mode="all")
    return acme


def open_response(body: bytes):
    """The webhook's WSGI answer, not yet closed (as a server holds it while sending)."""
    from config.wsgi import application

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/wechat/acme/",
        "QUERY_STRING": urlencode(signed_query("spamtest")),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    return application(environ, lambda status, headers, exc_info=None: None)


def test_follow_ups_are_queued_only_once_the_answer_has_been_sent(standin):
    reply_all_account()
    answer = open_response(text("全部", from_user="oA"))
    assert parse_reply(b"".join(answer)) == TextReply("one")
    assert not OutboundMessage.objects.exists()  # the passive answer is still on its way
    answer.close()
    rows = OutboundMessage.objects.order_by("order")
    assert [r.payload["text"]["content"] for r in rows] == ["two", "three"]
    assert {r.message_id for r in rows} == {Message.objects.get().id}
    assert {(r.openid, r.reason, r.status) for r in rows} == {("oA", "reply_all", "queued")}


def test_twenty_reply_all_messages_three_web_workers_two_workers_one_token_fetch(standin):
    reply_all_account()
    followers = [f"oFollower{n}" for n in range(20)]
    with gunicorn(workers=3) as base, workers(standin, count=2):

        def url() -> str:  # WeChat signs each push with a nonce of its own
            return f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}"

        with ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(lambda f: post(url(), text("全部", from_user=f)), followers))
        wait_for(lambda: len(standin.sent()) == 40, seconds=30)
    assert {parse_reply(body) for _, body in answers} == {TextReply("one")}
    for follower in followers:
        assert [m["text"]["content"] for m in standin.sent(follower)] == ["two", "three"]
    assert standin.stats["token_fetches"] == 1
    assert OutboundMessage.objects.filter(status="sent").count() == 40
    assert OutboundMessage.objects.filter(message__isnull=True).count() == 0


def test_a_late_answer_follows_as_a_customer_service_message(standin, settings):
    acme = account("acme", app_secret="s3cret")
    rule(acme, "hours", keywords=(("exact", "hours"),), replies=("9 to 6",))
    settings.WECHAT_REPLY_DEADLINE = 0  # every answer is too late
    assert WeChatClient(acme).say("hours", from_user="oLate") is None  # `success`, in time
    message = Message.objects.get()
    assert message.status == "deadline"
    with workers(standin):
        wait_for(lambda: len(standin.sent("oLate")) == 1)
    assert standin.sent("oLate")[0]["text"] == {"content": "9 to 6"}
    (row,) = message.outbound.all()
    assert (row.reason, row.status) == ("late", "sent")


def test_no_late_answer_without_an_app_secret(standin, settings):
    acme = account("acme")
    rule(acme, "hours", keywords=(("exact", "hours"),), replies=("9 to 6",))
    settings.WECHAT_REPLY_DEADLINE = 0
    assert WeChatClient(acme).say("hours") is None
    time.sleep(0.1)
    assert not OutboundMessage.objects.exists()


def test_reply_all_needs_the_app_secret():
    acme = account("acme")
    all_rule = rule(acme, "greetings", replies=THREE, reply_mode="all")
    with pytest.raises(ValidationError) as caught:
        all_rule.full_clean()
    assert "reply_mode" in caught.value.message_dict
    assert "greetings" in caught.value.message_dict["reply_mode"][0]
    assert "AppSecret" in caught.value.message_dict["reply_mode"][0]
    acme.app_secret = "s3cret"
    acme.save()
    all_rule.refresh_from_db()
    all_rule.full_clean()
