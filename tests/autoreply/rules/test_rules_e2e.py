"""The contract's matching rules, each through the webhook: a follower's push in, the
chosen reply out, and the message log saying which rule answered."""

import pytest

from autoreply.models import Message
from tests.factories import rule, text_rule
from tests.wechat_client import event, inbound, text
from wechat.replies import TextReply


def answered(reply) -> str | None:
    return reply.content if isinstance(reply, TextReply) else reply


def test_exact_keyword(bot, acme):
    text_rule(acme, "hi", "hello!", ("exact", "hi"))
    assert answered(bot.say("hi")) == "hello!"
    assert answered(bot.say("  HI  ")) == "hello!"  # trimmed and case-folded
    assert bot.say("hi there") is None  # exact means the whole text


def test_contains_keyword_in_chinese(bot, acme):
    text_rule(acme, "hours", "9-18", ("contains", "营业时间"))
    assert answered(bot.say("请问你们的营业时间是几点？")) == "9-18"
    assert bot.say("营业") is None


def test_full_width_and_half_width_compare_equal(bot, acme):
    text_rule(acme, "price", "¥10", ("exact", "ＰＲＩＣＥ"))
    text_rule(acme, "ok", "fine", ("contains", "ok"))
    assert answered(bot.say("price")) == "¥10"
    assert answered(bot.say("Price")) == "¥10"
    assert answered(bot.say("is it ＯＫ？")) == "fine"


def test_regex_groups_in_a_template(bot, acme):
    text_rule(
        acme,
        "order",
        "Order {{ match.1 }} of {{ match.who }}: on its way",
        ("regex", r"^order (\d+) for (?P<who>\w+)$"),
    )
    assert answered(bot.say("order 42 for alice")) == "Order 42 of alice: on its way"
    row = Message.objects.latest("received_at")
    assert row.status == "reply" and row.rule.name == "order"


def test_regex_is_case_sensitive_unless_it_says_so(bot, acme):
    text_rule(acme, "a", "A", ("regex", "^Yes$"))
    text_rule(acme, "b", "B", ("regex", "(?i)^no$"))
    assert bot.say("yes") is None
    assert answered(bot.say("Yes")) == "A"
    assert answered(bot.say("NO")) == "B"


def test_template_context(bot, acme):
    text_rule(
        acme, "echo", "{{ openid }} said {{ content }} ({{ msg.MsgType }})", ("contains", "echo")
    )
    assert answered(bot.say(" echo <b>&</b> ", from_user="oAlice")) == (
        "oAlice said  echo <b>&</b>  (text)"  # exactly as received, never HTML-escaped
    )


def test_highest_priority_wins_ties_by_name(bot, acme):
    text_rule(acme, "low", "low", ("contains", "a"), priority=1)
    text_rule(acme, "high", "high", ("contains", "a"), priority=5)
    text_rule(acme, "b-tie", "b-tie", ("contains", "b"), priority=3)
    text_rule(acme, "a-tie", "a-tie", ("contains", "b"), priority=3)
    assert answered(bot.say("a")) == "high"
    assert answered(bot.say("b")) == "a-tie"


def test_a_later_regex_does_not_beat_an_earlier_contains(bot, acme):
    text_rule(acme, "regex", "regex", ("regex", "sale"), priority=1)
    text_rule(acme, "contains", "contains", ("contains", "sale"), priority=2)
    assert answered(bot.say("on sale")) == "contains"


def test_disabled_rules_never_answer(bot, acme):
    text_rule(acme, "off", "off", ("exact", "x"), enabled=False, priority=9)
    text_rule(acme, "on", "on", ("exact", "x"))
    assert answered(bot.say("x")) == "on"


def test_type_rules_without_keywords(bot, acme):
    rule(acme, "pics", msg_type="image", replies=("nice picture",))
    rule(acme, "places", msg_type="location", replies=("at {{ msg.Label }}",))
    assert answered(bot.ask(inbound("image", PicUrl="http://x/y.jpg", MediaId="m1"))) == (
        "nice picture"
    )
    assert (
        answered(
            bot.ask(inbound("location", Location_X=23.1, Location_Y=113.3, Scale=20, Label="广州"))
        )
        == "at 广州"
    )
    assert bot.say("text is not an image") is None


def test_voice_recognition_is_matched_like_text(bot, acme):
    text_rule(acme, "weather", "sunny", ("contains", "天气"))
    voice = inbound("voice", MediaId="m", Format="amr", Recognition="今天天气怎么样")
    assert answered(bot.ask(voice)) == "sunny"


def test_any_never_answers_events(bot, acme):
    rule(acme, "catch-all", msg_type="any", replies=("caught",))
    assert answered(bot.say("anything")) == "caught"
    assert answered(bot.ask(inbound("miniprogrampage", Title="t"))) == "caught"
    assert bot.ask(event("LOCATION", Latitude=1.0, Longitude=2.0, Precision=3.0)) is None
    assert bot.ask(event("TEMPLATESENDJOBFINISH", MsgID=1, Status="success")) is None


def test_subscribe_with_and_without_qrscene(bot, acme):
    rule(acme, "welcome", msg_type="event", event="subscribe", replies=("welcome!",))
    rule(
        acme,
        "scene 7",
        msg_type="event",
        event="subscribe",
        event_key="7",
        priority=1,
        replies=("welcome from poster 7",),
    )
    assert answered(bot.ask(event("subscribe"))) == "welcome!"
    assert answered(bot.ask(event("subscribe", "qrscene_7", Ticket="T"))) == (
        "welcome from poster 7"
    )
    assert answered(bot.ask(event("subscribe", "qrscene_8", Ticket="T"))) == "welcome!"
    # an existing follower scanning the same poster gets the scene's answer, not "welcome"
    assert answered(bot.ask(event("SCAN", "7", Ticket="T"))) == "welcome from poster 7"
    assert bot.ask(event("SCAN", "8", Ticket="T")) is None


def test_event_names_compare_case_insensitively(bot, acme):
    rule(acme, "scan", msg_type="event", event="scan", replies=("scanned",))
    assert answered(bot.ask(event("SCAN", "1", Ticket="T"))) == "scanned"


def test_click_with_event_key(bot, acme):
    rule(
        acme,
        "music",
        msg_type="event",
        event="CLICK",
        event_key="V1001_TODAY_MUSIC",
        replies=("today's music",),
    )
    rule(
        acme, "other clicks", msg_type="event", event="CLICK", priority=-1, replies=("some button",)
    )
    assert answered(bot.ask(event("CLICK", "V1001_TODAY_MUSIC"))) == "today's music"
    assert answered(bot.ask(event("CLICK", "V1002"))) == "some button"


def test_a_rule_without_replies_is_a_deliberate_silence(bot, acme):
    rule(acme, "quiet", keywords=(("exact", "shh"),))
    text_rule(acme, "default", "default", priority=-100)
    assert bot.say("shh") is None
    row = Message.objects.latest("received_at")
    assert (row.status, row.rule.name) == ("silence", "quiet")
    assert answered(bot.say("other")) == "default"


def test_default_rule_with_cooldown(bot, acme):
    text_rule(acme, "help", "help text", ("exact", "help"))
    text_rule(acme, "default", "I did not understand", priority=-100, cooldown_seconds=3600)
    assert answered(bot.say("what", from_user="oA")) == "I did not understand"
    assert bot.say("what now", from_user="oA") is None  # cooling down for oA
    assert answered(bot.say("help", from_user="oA")) == "help text"  # other rules still answer
    assert answered(bot.say("what", from_user="oB")) == "I did not understand"
    statuses = list(Message.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["reply", "no_rule", "reply", "reply"]


def test_cooldown_falls_through_to_the_next_rule(bot, acme):
    text_rule(acme, "first", "first time", ("contains", "hi"), priority=2, cooldown_seconds=60)
    text_rule(acme, "again", "again", ("contains", "hi"), priority=1)
    assert answered(bot.say("hi")) == "first time"
    assert answered(bot.say("hi")) == "again"


def test_reply_mode_first_and_random(bot, acme):
    rule(acme, "first", keywords=(("exact", "f"),), reply_mode="first", replies=("1", "2", "3"))
    rule(acme, "random", keywords=(("exact", "r"),), reply_mode="random", replies=("1", "2", "3"))
    assert {answered(bot.say("f")) for _ in range(10)} == {"1"}
    seen = {answered(bot.say("r")) for _ in range(60)}
    assert seen == {"1", "2", "3"}  # each has a 1 - (2/3)^60 chance to appear


@pytest.mark.parametrize("encrypted", [False, True])
def test_rule_change_answers_on_the_next_message(bot, acme, encrypted):
    hello = text_rule(acme, "hello", "v1", ("exact", "hello"))

    def send() -> bytes:
        if not encrypted:
            return bot.post(text("hello")).content
        response = bot.post_encrypted(text("hello"))
        return response.content if response.content == b"success" else bot.decrypt(response)

    assert b"v1" in send()
    hello.replies.update(content="v2")
    assert b"v2" in send()
    hello.enabled = False
    hello.save()
    assert send() == b"success"
