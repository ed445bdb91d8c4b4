"""Customer-service sends through a real worker process: retried, refused, in order, logged."""

import pytest

from autoreply.choices import OutboundReason
from autoreply.models import OutboundMessage
from autoreply.outbound import outbox
from tests.autoreply.outbound.conftest import wait_for, workers
from tests.factories import account
from wechat import replies

pytestmark = pytest.mark.django_db(transaction=True)


def done(openid: str, count: int):
    def check() -> bool:
        rows = OutboundMessage.objects.filter(openid=openid)
        return rows.count() == count and not rows.filter(status="queued").exists()

    return check


def test_busy_twice_then_success_delivers_once(standin):
    acme = account("acme", app_secret="s3cret")
    standin.steer("/_standin/fail", {"errcode": -1, "count": 2})
    outbox.enqueue(acme, "oBusy", [replies.TextReply("hello")], OutboundReason.MANUAL)
    with workers(standin):
        wait_for(done("oBusy", 1))
    row = OutboundMessage.objects.get(openid="oBusy")
    assert (row.status, row.attempts, row.errcode) == ("sent", 3, 0)
    assert [m["text"]["content"] for m in standin.sent("oBusy")] == ["hello"]
    assert standin.stats["send_attempts"] == 3


def test_45015_is_tried_once_and_shown_in_the_log(standin):
    acme = account("acme", app_secret="s3cret")
    standin.steer("/_standin/refuse", {"touser": "oGone", "errcode": 45015})
    outbox.enqueue(acme, "oGone", [replies.TextReply("a"), replies.TextReply("b")], "manual")
    with workers(standin):
        wait_for(done("oGone", 2))
    rows = list(OutboundMessage.objects.filter(openid="oGone"))
    assert [(r.status, r.errcode, r.attempts) for r in rows] == [("failed", 45015, 1)] * 2
    assert "refused" in rows[0].errmsg
    assert standin.stats["send_attempts"] == 2


def test_an_expired_token_is_refreshed_once_and_the_send_delivered_once(standin):
    acme = account("acme", app_secret="s3cret")
    outbox.enqueue(acme, "oA", [replies.TextReply("first")], "manual")
    with workers(standin):
        wait_for(done("oA", 1))
        standin.steer("/_standin/expire", {})
        outbox.enqueue(acme, "oA", [replies.TextReply("second")], "manual")
        wait_for(done("oA", 2))
    assert [m["text"]["content"] for m in standin.sent("oA")] == ["first", "second"]
    assert standin.stats["token_fetches"] == 2
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_one_followers_messages_arrive_in_order_while_the_first_is_retried(standin):
    acme = account("acme", app_secret="s3cret")
    standin.steer("/_standin/fail", {"errcode": -1, "count": 1})
    texts = [f"part {n}" for n in range(5)]
    for text in texts:  # five jobs: the follower's lock keeps them in order
        outbox.enqueue(acme, "oOrder", [replies.TextReply(text)], "manual")
    with workers(standin, count=2):
        wait_for(done("oOrder", 5))
    assert [m["text"]["content"] for m in standin.sent("oOrder")] == texts


def test_a_send_without_an_app_secret_fails_with_a_reason(standin):
    acme = account("acme")
    outbox.enqueue(acme, "oX", [replies.TextReply("x")], "manual")
    with workers(standin):
        wait_for(done("oX", 1))
    row = OutboundMessage.objects.get()
    assert row.status == "failed" and "no AppSecret" in row.errmsg


def test_a_running_worker_records_its_heartbeat(standin):
    from django.utils import timezone

    from autoreply.outbound import heartbeat

    assert heartbeat.last() is None
    started = timezone.now()
    with workers(standin):
        wait_for(lambda: heartbeat.last() is not None)
    assert heartbeat.last() >= started


def test_a_messages_follow_ups_resume_after_a_retry_without_sending_twice(standin):
    acme = account("acme", app_secret="s3cret")
    texts = ["a", "b", "c"]
    outbox.enqueue(acme, "oResume", [replies.TextReply(t) for t in texts], "manual")
    standin.steer("/_standin/fail", {"errcode": -1, "count": 1})
    with workers(standin):
        wait_for(done("oResume", 3))
    assert [m["text"]["content"] for m in standin.sent("oResume")] == texts
    rows = OutboundMessage.objects.filter(openid="oResume").order_by("order")
    assert [r.attempts for r in rows] == [2, 1, 1]
