"""Rules that know the time, through the webhook: the push's CreateTime (in
DJANGO_TIME_ZONE, Asia/Shanghai here) decides, never the server's clock, and a rule
outside its time lets matching go on to the next rule."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from autoreply.models import Message
from tests.factories import rule, text_rule
from tests.wechat_client import event, text
from wechat.replies import TextReply

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = [{"days": "mon-fri", "from": "09:00", "to": "18:00"}]


def at(local: str) -> int:
    """A CreateTime: epoch seconds of a wall-clock time in Shanghai (2027-01-04 is a Monday)."""
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def when(local: str) -> datetime:
    return datetime.fromisoformat(local).replace(tzinfo=SHANGHAI)


def answer(bot, content: str, local: str) -> str | None:
    reply = bot.ask(text(content, create_time=at(local)))
    return reply.content if isinstance(reply, TextReply) else reply


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def test_a_scheduled_rule_answers_inside_its_hours_and_not_outside(bot, acme):
    text_rule(acme, "hours", "We are open, ask away.", ("contains", "hello"), schedule=OFFICE)
    assert answer(bot, "hello", "2027-01-04T09:00") == "We are open, ask away."
    assert answer(bot, "hello", "2027-01-08T17:59:59") == "We are open, ask away."
    assert answer(bot, "hello", "2027-01-04T08:59:59") is None
    assert answer(bot, "hello", "2027-01-04T18:00") is None
    assert answer(bot, "hello", "2027-01-09T12:00") is None  # Saturday
    stored = list(Message.objects.order_by("create_time").values_list("status", flat=True))
    assert sorted(stored) == ["no_rule", "no_rule", "no_rule", "reply", "reply"]


def test_create_time_decides_not_the_clock(bot, acme):
    text_rule(
        acme,
        "night",
        "Night owl!",
        ("contains", "hi"),
        schedule=[{"days": "mon-sun", "from": "02:00", "to": "03:00"}],
    )
    now = datetime.now(SHANGHAI)
    inside = now.replace(hour=2, minute=30)
    outside = now.replace(hour=15, minute=30)
    assert answer(bot, "hi", inside.replace(tzinfo=None).isoformat()) == "Night owl!"
    assert answer(bot, "hi", outside.replace(tzinfo=None).isoformat()) is None


def test_a_lower_priority_rule_answers_while_the_scheduled_one_is_outside(bot, acme):
    text_rule(acme, "open", "Come in!", ("contains", "open"), priority=10, schedule=OFFICE)
    text_rule(acme, "closed", "We are closed; we open at 9:00.", ("contains", "open"))
    assert answer(bot, "are you open?", "2027-01-05T10:00") == "Come in!"
    assert answer(bot, "are you open?", "2027-01-05T20:00") == "We are closed; we open at 9:00."
    row = Message.objects.latest("id")  # one test transaction: received_at ties
    assert row.rule.name == "closed"


def test_past_midnight_schedules(bot, acme):
    late = [{"days": "fri,sat", "from": "22:00", "to": "02:00"}]
    text_rule(acme, "late", "Late opening!", ("exact", "bar"), schedule=late)
    assert answer(bot, "bar", "2027-01-08T23:30") == "Late opening!"  # Friday night
    assert answer(bot, "bar", "2027-01-09T01:30") == "Late opening!"  # Saturday early hours
    assert answer(bot, "bar", "2027-01-10T01:30") == "Late opening!"  # Saturday's night, Sunday
    assert answer(bot, "bar", "2027-01-09T02:00") is None
    assert answer(bot, "bar", "2027-01-11T01:30") is None  # Sunday's night is not scheduled
    assert answer(bot, "bar", "2027-01-08T01:30") is None  # Friday's early hours: Thursday's


def test_active_from_and_until_bound_a_holiday_notice(bot, acme):
    text_rule(
        acme,
        "spring festival",
        "Closed for Spring Festival until 5 February.",
        ("contains", "order"),
        priority=10,
        active_from=when("2027-01-28T00:00"),
        active_until=when("2027-02-05T00:00"),
    )
    text_rule(acme, "orders", "Your order is on its way.", ("contains", "order"))
    notice = "Closed for Spring Festival until 5 February."
    assert answer(bot, "my order", "2027-01-27T23:59:59") == "Your order is on its way."
    assert answer(bot, "my order", "2027-01-28T00:00") == notice
    assert answer(bot, "my order", "2027-02-04T23:59:59") == notice
    assert answer(bot, "my order", "2027-02-05T00:00") == "Your order is on its way."


def test_only_one_bound(bot, acme):
    text_rule(acme, "new", "New menu!", ("contains", "menu"), active_from=when("2027-03-01T12:00"))
    text_rule(acme, "old", "Old menu.", ("contains", "menu"), active_until=when("2027-03-01T12:00"))
    assert answer(bot, "menu", "2027-03-01T11:59") == "Old menu."
    assert answer(bot, "menu", "2027-03-01T12:00") == "New menu!"
    assert answer(bot, "menu", "2099-12-31T23:59") == "New menu!"


def test_bounds_and_schedule_together_on_an_event_rule(bot, acme):
    rule(
        acme,
        "weekday welcome",
        msg_type="event",
        event="subscribe",
        priority=5,
        schedule=OFFICE,
        active_from=when("2027-01-05T00:00"),
        replies=("Welcome, we answer within the hour.",),
    )
    rule(acme, "welcome", msg_type="event", event="subscribe", replies=("Welcome!",))

    def greeting(local: str) -> str:
        return bot.ask(event("subscribe", create_time=at(local))).content

    assert greeting("2027-01-04T10:00") == "Welcome!"  # a Monday, before active_from
    assert greeting("2027-01-11T10:00") == "Welcome, we answer within the hour."
    assert greeting("2027-01-11T19:00") == "Welcome!"


def test_a_retry_is_answered_as_the_first_delivery_was(bot, acme):
    text_rule(acme, "open", "Come in!", ("contains", "open"), schedule=OFFICE)
    push = text("open?", create_time=at("2027-01-04T10:00"), MsgId=42)
    first = bot.ask(push)
    assert first.content == "Come in!"
    assert bot.ask(push).content == "Come in!"  # the same CreateTime, the stored reply
    assert Message.objects.get().retries == 1


def test_a_changed_schedule_answers_at_once(bot, acme):
    office = text_rule(acme, "open", "Come in!", ("contains", "open"), schedule=OFFICE)
    assert answer(bot, "open?", "2027-01-09T10:00") is None  # Saturday
    office.schedule = [{"days": "mon-sun", "from": "09:00", "to": "18:00"}]
    office.save()
    assert answer(bot, "open?", "2027-01-09T10:00") == "Come in!"


def test_a_schedule_that_reached_the_database_broken_leaves_only_its_rule_out(bot, acme, caplog):
    text_rule(acme, "broken", "never", ("contains", "open"), priority=10)
    text_rule(acme, "fallback", "Still here.", ("contains", "open"))
    broken = [{"days": "mon-fry", "from": "09:00", "to": "18:00"}]
    acme.rules.filter(name="broken").update(schedule=broken)  # past validation, as psql could
    assert answer(bot, "open?", "2027-01-04T10:00") == "Still here."
    assert "(broken) is skipped" in caplog.text
