"""Messages partitioned by UTC day of CreateTime, aged out by dropping partitions
(autoreply/retention.py): retries still deduplicated across a day boundary, odd
CreateTimes stored, only the days past the retention dropped, followers kept, and the
webhook never left waiting behind the ageing's locks."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from autoreply import retention
from autoreply.models import Follower, Message, OutboundMessage
from tests.factories import text_rule
from tests.wechat_client import next_msg_id, text
from wechat.xmlwriter import write_xml

DAY = retention.DAY


def partition_of(message: Message) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM autoreply_message WHERE id = %s", [message.id]
        )
        return cursor.fetchone()[0]


def layout() -> list[retention.Partition]:
    with connection.cursor() as cursor:
        return retention.layout(cursor)


def push(bot, create_time: int, msg_id: int | None = None, from_user: str = "oFollower1"):
    """A text push with exactly this CreateTime (0 included)."""
    body = write_xml(
        {
            "ToUserName": "gh_acme",
            "FromUserName": from_user,
            "CreateTime": create_time,
            "MsgType": "text",
            "Content": "hi",
            "MsgId": msg_id or next_msg_id(),
        }
    )
    response = bot.post(body)
    assert response.status_code == 200
    return body


def test_a_retry_across_midnight_is_one_row_and_each_side_of_it_is_stored(bot, acme):
    """The retry arrives after midnight but repeats CreateTime 23:59:59: the same day,
    the same partition, one row. A message of 00:00:00 goes to the next day's."""
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    midnight = (int(time.time()) // DAY + 1) * DAY
    last_second = push(bot, midnight - 1, msg_id=901)
    assert bot.post(last_second).content.startswith(b"<xml>")  # the retry, answered again
    push(bot, midnight, msg_id=902)
    before, after = Message.objects.order_by("create_time")
    assert (before.create_time, before.retries) == (midnight - 1, 1)
    assert (after.create_time, after.retries) == (midnight, 0)
    assert partition_of(before) == retention.day_name(midnight // DAY - 1)
    assert partition_of(after) == retention.day_name(midnight // DAY)
    assert Follower.objects.get().message_count == 2


@pytest.mark.parametrize(
    ("create_time", "catch_all"),
    [(0, "autoreply_message_before"), (9_999_999_999, "autoreply_message_after")],
)
def test_odd_create_times_are_stored_and_deduplicated(bot, acme, create_time, catch_all):
    body = push(bot, create_time, msg_id=77)
    bot.post(body)
    stored = Message.objects.get()
    assert (stored.create_time, stored.retries) == (create_time, 1)
    assert partition_of(stored) == catch_all


def test_partitions_are_created_ahead_with_the_rows_the_catch_all_held(bot, acme):
    now = time.time()
    in_nine_days = int(now) + 9 * DAY
    push(bot, in_nine_days)
    assert partition_of(Message.objects.get()) == "autoreply_message_after"
    aged = retention.age(now=now + 3 * DAY)
    today = int(now) // DAY
    assert aged.created == [retention.day_name(today + 8 + n) for n in range(3)]
    assert partition_of(Message.objects.get()) == retention.day_name(today + 9)
    assert layout()[-1].lower == today + 11  # the upper catch-all starts after them
    assert retention.age(now=now + 3 * DAY).created == []  # nothing more to do


def test_ageing_drops_exactly_the_days_past_the_retention_and_keeps_followers(bot, acme, settings):
    """Run as if 200 days had passed, with 180 days kept: the days before day 20 from
    now go (and old sends, and catch-all rows received before the cutoff); the rest stays."""
    settings.AUTOREPLY_RETENTION_DAYS = 180
    now = time.time()
    today = int(now) // DAY
    noon = today * DAY + DAY // 2  # offsets from noon never cross into another day
    push(bot, int(now))  # today: past the retention then
    push(bot, noon + 19 * DAY)  # day 19: wholly older than the cutoff too
    kept = push(bot, noon + 25 * DAY)  # day 25: kept
    push(bot, 0)  # the lower catch-all, received now: older than the cutoff
    late = OutboundMessage.objects.create(
        account=acme, openid="oFollower1", reason="late", msgtype="text", payload={}
    )
    recent = OutboundMessage.objects.create(
        account=acme, openid="oFollower1", reason="late", msgtype="text", payload={}
    )
    OutboundMessage.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() + timedelta(days=30)
    )

    with connection.cursor() as cursor:  # the test's transaction: no checks left pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    aged = retention.age(now=now + 200 * DAY)

    cutoff_day = (int(now) + 20 * DAY) // DAY
    assert aged.postponed == []
    assert aged.dropped == [retention.day_name(day) for day in range(today, cutoff_day)]
    assert (aged.messages_deleted, aged.sends_deleted) == (1, 1)
    (survivor,) = Message.objects.all()
    assert survivor.raw_xml.encode() == kept
    assert list(OutboundMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not OutboundMessage.objects.filter(pk=late.pk).exists()
    partitions = layout()
    assert partitions[0] == retention.Partition("autoreply_message_before", None, cutoff_day)
    assert partitions[1].lower == cutoff_day  # no gap: the catch-all grew over the days
    assert partitions[-1].lower == (int(now) + 200 * DAY) // DAY + 8
    follower = Follower.objects.get()
    assert follower.message_count == 4
    push(bot, int(now))  # a CreateTime in the dropped range still has a partition
    assert Message.objects.count() == 2


def test_nothing_is_aged_when_retention_is_zero(bot, acme, settings):
    settings.AUTOREPLY_RETENTION_DAYS = 0
    push(bot, int(time.time()))
    aged = retention.age(now=time.time() + 1000 * DAY)
    assert (aged.dropped, aged.messages_deleted, aged.sends_deleted) == ([], 0, 0)
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_push_is_answered_promptly_while_ageing_waits_for_a_lock(acme, bot, monkeypatch):
    """A reader holds the upper catch-all; ageing waits for it without holding the table
    the webhook writes to, gives up after its lock timeout, and leaves things as they were.
    (The timeout is lengthened so that a webhook stuck behind it could not pass.)"""
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    monkeypatch.setattr(retention, "LOCK_TIMEOUT", "2s")
    before = layout()
    reader = connections.create_connection("default")
    try:
        with reader.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT count(*) FROM autoreply_message_after")
            results: list[retention.Aged] = []

            def ageing() -> None:
                try:
                    results.append(retention.age(now=time.time() + 3 * DAY))
                finally:
                    connection.close()

            thread = threading.Thread(target=ageing)
            thread.start()
            time.sleep(0.3)  # ageing is now waiting for the catch-all's lock
            started = time.monotonic()
            response = bot.post(text("hi"))
            answered_in = time.monotonic() - started
            thread.join(timeout=10)
            cursor.execute("ROLLBACK")
    finally:
        reader.close()
    assert b"hello" in response.content
    assert answered_in < 0.5, answered_in
    assert results and results[0].postponed == ["create ahead"]
    assert results[0].created == []
    assert layout() == before
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("days", "refused"), [(-1, True), (100_000, True), (0, False), (180, False)]
)
def test_the_retention_setting_is_checked_at_start_up(settings, days, refused):
    settings.AUTOREPLY_RETENTION_DAYS = days
    assert ("autoreply.E301" in {e.id for e in run_checks()}) is refused


def test_the_command_says_what_it_did(db, capsys):
    call_command("age_messages")
    assert "partitions created" in capsys.readouterr().out
