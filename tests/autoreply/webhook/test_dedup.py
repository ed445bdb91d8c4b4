"""WeChat retries a push it got no answer to within 5 s, three times: each message is
stored once, and every delivery gets the same answer."""

import datetime

from django.utils import timezone

from autoreply.models import Message
from tests.factories import rule, text_rule
from tests.wechat_client import event, text


def test_three_sequential_deliveries_store_one_row_and_answer_alike(bot, acme):
    rule(acme, "hi", keywords=(("exact", "hi"),), replies=("one", "two", "three", "four"))
    body = text("hi")
    answers = [bot.post(body).content for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]  # the stored reply, not a new random pick
    row = Message.objects.get()
    assert row.retries == 2
    assert row.reply.encode() == answers[0]


def test_encrypted_retry_gets_the_same_reply_freshly_encrypted(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    body = text("hi")
    first, second = bot.post_encrypted(body), bot.post_encrypted(body)
    assert first.content != second.content  # fresh nonce and random prefix
    assert bot.decrypt(first) == bot.decrypt(second)
    assert Message.objects.get().retries == 1


def test_same_msg_id_from_two_followers_is_two_messages(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    bot.post(text("hi", from_user="oA", MsgId=7))
    bot.post(text("hi", from_user="oB", MsgId=7))
    assert Message.objects.count() == 2


def test_msg_id_past_bigint_is_stored_exactly(bot, acme):
    bot.post(text("big", MsgId=2**64 - 1))
    bot.post(text("big", MsgId=2**64 - 1))
    row = Message.objects.get()
    assert int(row.msg_id) == 2**64 - 1 and row.retries == 1


def test_events_dedup_on_sender_time_event_and_key(bot, acme):
    rule(acme, "click", msg_type="event", event="CLICK", replies=("clicked",))
    bot.post(event("CLICK", "A", create_time=1_700_000_000))
    bot.post(event("CLICK", "A", create_time=1_700_000_000))  # a retry
    bot.post(event("CLICK", "B", create_time=1_700_000_000))  # same second, other button
    bot.post(event("VIEW", "A", create_time=1_700_000_000))  # same second, other event
    assert Message.objects.count() == 3
    assert Message.objects.get(event="CLICK", event_key="A").retries == 1


def test_retry_of_a_silence_is_success(bot, acme):
    body = text("nobody answers this")
    assert [bot.post(body).content for _ in range(2)] == [b"success", b"success"]
    assert Message.objects.get().status == "no_rule"


def test_a_row_past_the_deadline_is_taken_over_by_the_retry(bot, acme, settings):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    body = text("hi")
    settings.WECHAT_REPLY_DEADLINE = 1e-9  # the first delivery is always too late
    assert bot.post(body).content == b"success"
    assert Message.objects.get().status == "deadline"
    settings.WECHAT_REPLY_DEADLINE = 4
    assert b"hello" in bot.post(body).content
    row = Message.objects.get()
    assert (row.status, row.retries, row.rule.name) == ("reply", 1, "hi")


def test_a_stale_pending_row_is_taken_over_and_a_fresh_one_is_not(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    body = text("hi")
    assert b"hello" in bot.post(body).content
    row = Message.objects.get()
    Message.objects.filter(pk=row.pk).update(status="pending", reply="")
    assert bot.post(body).content == b"success"  # still "in flight"
    Message.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - datetime.timedelta(seconds=30)
    )
    assert b"hello" in bot.post(body).content
    assert Message.objects.get().status == "reply"


def test_the_stored_row_says_everything(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    bot.post(text("hi", from_user="oAlice", to_user="gh_acme", MsgId=99, create_time=1_700_000_001))
    row = Message.objects.get()
    assert (row.from_user, row.to_user, row.create_time, int(row.msg_id)) == (
        "oAlice",
        "gh_acme",
        1_700_000_001,
        99,
    )
    assert (row.msg_type, row.event, row.text, row.status) == ("text", "", "hi", "reply")
    assert row.fields["Content"] == "hi" and row.fields["MsgId"] == 99
    assert "<Content><![CDATA[hi]]></Content>" in row.raw_xml
    assert "<Content><![CDATA[hello]]></Content>" in row.reply
    assert row.handling_ms is not None and row.handling_ms >= 0
    acme.refresh_from_db()
    assert acme.original_id == "gh_acme"  # learned from ToUserName


def test_the_message_key_is_sender_and_msg_id_only(bot, acme):
    """DESIGN: FromUserName + MsgId. A repeat with another CreateTime is still a repeat."""
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    bot.post(text("hi", MsgId=555, create_time=1_700_000_000))
    bot.post(text("hi", MsgId=555, create_time=1_700_000_009))
    assert Message.objects.get().retries == 1
