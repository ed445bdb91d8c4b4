"""Follower rows follow subscribe/unsubscribe events and every message."""

from autoreply.models import Follower
from tests.wechat_client import event, text


def follower(openid: str = "oF") -> Follower:
    return Follower.objects.get(openid=openid)


def test_subscribe_unsubscribe_resubscribe(bot, acme):
    bot.post(event("subscribe", from_user="oF", create_time=1_700_000_000))
    assert follower().subscribed is True
    assert follower().subscribed_at.timestamp() == 1_700_000_000
    bot.post(event("unsubscribe", from_user="oF", create_time=1_700_000_100))
    assert follower().subscribed is False
    assert follower().unsubscribed_at.timestamp() == 1_700_000_100
    bot.post(event("subscribe", "qrscene_5", Ticket="T", from_user="oF", create_time=1_700_000_200))
    f = follower()
    assert f.subscribed is True and f.subscribed_at.timestamp() == 1_700_000_200
    assert f.message_count == 3
    assert f.first_seen <= f.last_seen


def test_latest_event_wins_whatever_the_arrival_order(bot, acme):
    bot.post(event("unsubscribe", from_user="oF", create_time=1_700_000_100))
    bot.post(event("subscribe", from_user="oF", create_time=1_700_000_000))  # older, late
    assert follower().subscribed is False


def test_messages_count_and_mark_the_sender_as_following(bot, acme):
    bot.post(text("a", from_user="oM"))
    body = text("b", from_user="oM")
    bot.post(body)
    bot.post(body)  # a retry is not a new message
    f = follower("oM")
    assert (f.subscribed, f.message_count) == (True, 2)


def test_a_message_does_not_resubscribe_an_unsubscribed_follower(bot, acme):
    bot.post(event("unsubscribe", from_user="oU", create_time=1_700_000_100))
    bot.post(text("late message", from_user="oU", create_time=1_700_000_050))
    assert follower("oU").subscribed is False


def test_followers_are_per_account(bot, acme, wechat):
    bot.post(text("a", from_user="oSame"))
    wechat.post(text("a", from_user="oSame"))
    assert Follower.objects.filter(openid="oSame").count() == 2
