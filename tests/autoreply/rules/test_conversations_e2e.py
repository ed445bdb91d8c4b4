"""Conversations through the webhook: the workpiece finder of fixtures/bots/ asks for a
number and answers it, by the push's CreateTime; each follower has their own state,
kept in PostgreSQL and set in the statement that stores the push; retries are answered
in the conversation their first delivery arrived in."""

import io
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from autoreply.models import Account, Follower, Message
from autoreply.webhook import recording
from tests.factories import account, rule, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import WeChatClient, next_msg_id, signed_query, text
from wechat.replies import TextReply

BOTS = Path(__file__).resolve().parents[3] / "fixtures" / "bots"
ASK = "请输入工件号，例如 18-546（5 分钟内有效）。"
PLACE = "[18-546]的工作台位为[车体新厂房3号]。还可以继续输入工件号，或发送 退出。"
IDLE = "发送 查询工件 开始查询工件的工作台位。"
FORMAT = "工件号的格式是 数字-数字，例如 18-546；发送 退出 结束查询。"
LEFT = "已退出工件查询。需要时再发送 查询工件。"
T = 1_800_000_000  # a CreateTime; everything below is relative to it


@pytest.fixture
def chat(db) -> WeChatClient:
    out = io.StringIO()
    call_command("import_rules", str(BOTS / "workpiece-conversation.json"), stdout=out)
    assert "warning" not in out.getvalue()
    return WeChatClient(Account.objects.get(slug="factory-chat"))


def say(bot: WeChatClient, content: str, at: int, who: str = "oWorker1", **kwargs) -> str | None:
    reply = bot.ask(text(content, create_time=at, from_user=who, **kwargs))
    return reply.content if isinstance(reply, TextReply) else reply


def follower(who: str = "oWorker1") -> Follower:
    return Follower.objects.get(openid=who)


def test_a_two_step_conversation(chat):
    assert say(chat, "18-546", T) == IDLE  # a number alone means nothing yet
    assert say(chat, "查询工件", T + 1) == ASK
    assert say(chat, "18-546", T + 5) == PLACE
    assert say(chat, "18-547", T + 9).startswith("[18-547]的工作台位为")  # still in it
    assert say(chat, "hello", T + 12) == FORMAT  # in the conversation, not a number
    assert say(chat, "99-999", T + 15) == "没有找到工件[99-999]，请检查编号后重新输入。"


def test_the_state_is_stored_with_the_push_and_each_message_says_its_conversation(chat):
    say(chat, "查询工件", T)
    stored = follower()
    assert stored.context == "workpiece"
    assert stored.context_until == datetime.fromtimestamp(T + 300, UTC)
    say(chat, "18-546", T + 5)
    contexts = dict(Message.objects.values_list("text", "context"))
    assert contexts == {"查询工件": "", "18-546": "workpiece"}


def test_the_conversation_expires_by_create_time(chat):
    assert say(chat, "查询工件", T) == ASK
    assert say(chat, "18-546", T + 299) == PLACE
    assert say(chat, "18-546", T + 300) == IDLE  # 5 minutes on: the number alone again
    assert say(chat, "查询工件", T + 400) == ASK  # and it can start again
    assert say(chat, "18-546", T + 401) == PLACE


def test_ending_the_conversation(chat):
    say(chat, "查询工件", T)
    assert say(chat, "退出", T + 2) == LEFT
    assert follower().context == ""
    assert say(chat, "18-546", T + 3) == IDLE
    assert say(chat, "退出", T + 4) == IDLE  # out of it, 退出 is just a message


def test_two_followers_have_their_own_state(chat):
    say(chat, "查询工件", T, who="oA")
    assert say(chat, "18-546", T + 1, who="oB") == IDLE
    assert say(chat, "18-546", T + 2, who="oA") == PLACE
    say(chat, "查询工件", T + 3, who="oB")
    say(chat, "退出", T + 4, who="oA")
    assert say(chat, "18-546", T + 5, who="oA") == IDLE
    assert say(chat, "18-546", T + 6, who="oB") == PLACE


def test_a_retry_gets_the_first_reply_and_does_not_change_the_state_again(chat):
    ask_id, number_id = next_msg_id(), next_msg_id()
    assert say(chat, "查询工件", T, MsgId=ask_id) == ASK
    assert say(chat, "18-546", T + 5, MsgId=number_id) == PLACE
    assert say(chat, "退出", T + 10) == LEFT
    # WeChat retries the number after the conversation ended: the same answer as then
    assert say(chat, "18-546", T + 5, MsgId=number_id) == PLACE
    # and retries the question: the same answer, and it does not start the conversation anew
    assert say(chat, "查询工件", T, MsgId=ask_id) == ASK
    assert follower().context == ""
    assert say(chat, "18-546", T + 20) == IDLE
    assert Message.objects.get(msg_id=number_id).retries == 1


def test_a_retry_of_an_unanswered_push_is_decided_in_its_first_conversation(chat, settings):
    """The first delivery of the number ran out of time (nothing answered); meanwhile the
    follower left the conversation. WeChat's retry is answered as the first would have
    been: in the conversation it arrived in."""
    say(chat, "查询工件", T)
    number_id = next_msg_id()
    settings.WECHAT_REPLY_DEADLINE = 0  # the first delivery is always too late
    assert say(chat, "18-546", T + 5, MsgId=number_id) is None
    settings.WECHAT_REPLY_DEADLINE = 4.5
    stored = Message.objects.get(msg_id=number_id)
    assert (stored.status, stored.context) == ("deadline", "workpiece")
    assert say(chat, "退出", T + 6) == LEFT
    assert say(chat, "18-546", T + 5, MsgId=number_id) == PLACE  # taken over, as it was
    stored.refresh_from_db()
    assert (stored.status, stored.reply.count("车体新厂房3号")) == ("reply", 1)
    assert follower().context == ""  # the take-over did not start anything


def test_a_late_push_does_not_undo_what_a_newer_one_did(chat):
    """WeChat can deliver out of order: a question sent before the follower left, arriving
    after, is answered, but the newer 退出 still stands."""
    say(chat, "查询工件", T)
    say(chat, "退出", T + 10)
    assert say(chat, "查询工件", T + 5) == ASK  # delivered late
    assert follower().context == ""
    assert say(chat, "18-546", T + 11) == IDLE


def test_templates_see_the_conversation(bot, acme):
    rule(acme, "start", keywords=(("exact", "go"),), replies=("ok",),
         sets_context={"name": "shop", "seconds": 60})  # fmt: skip
    text_rule(acme, "echo", "in «{{ context }}»", ("exact", "where"), priority=-1)
    assert bot.say("where").content == "in «»"
    bot.say("go")
    assert bot.say("where").content == "in «shop»"


def test_only_accounts_with_conversations_read_the_followers_state(bot, acme, monkeypatch):
    reads = []
    real = recording.follower_context
    monkeypatch.setattr(recording, "follower_context", lambda *a: reads.append(a) or real(*a))
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    assert bot.say("hi").content == "hello"
    assert reads == []  # no rule has a conversation: nothing read
    other = account("other")
    rule(other, "start", keywords=(("exact", "go"),), replies=("ok",),
         sets_context={"name": "shop", "seconds": 60})  # fmt: skip
    text_rule(other, "in shop", "shopping", requires_context="shop")
    chat = WeChatClient(other)
    assert chat.say("go").content == "ok"
    assert chat.say("anything").content == "shopping"
    assert len(reads) == 2  # one read per push


def test_a_rule_in_a_conversation_with_a_cooldown(bot, acme):
    """The cooldown path stores the push before deciding: its change to the conversation
    is made in that same transaction."""
    rule(acme, "start", keywords=(("exact", "go"),), replies=("ok",), cooldown_seconds=60,
         sets_context={"name": "shop", "seconds": 60})  # fmt: skip
    text_rule(acme, "in shop", "shopping", requires_context="shop", cooldown_seconds=60)
    text_rule(acme, "default", "idle", priority=-5)
    assert bot.say("anything").content == "idle"
    assert bot.say("go").content == "ok"
    assert bot.say("anything").content == "shopping"
    assert bot.say("anything").content == "idle"  # cooling down; matching goes on


@pytest.mark.django_db(transaction=True)
def test_every_worker_sees_each_followers_conversation():
    """Three gunicorn workers, five followers, each push on whichever worker takes it: the
    state is PostgreSQL's, not a process's."""
    call_command("import_rules", str(BOTS / "workpiece-conversation.json"), stdout=io.StringIO())
    now = int(time.time())

    def push(content: str, at: int, who: str) -> bytes:
        url = f"{base}/wechat/factory-chat/?{urlencode(signed_query('spamtest'))}"
        return post(url, text(content, create_time=at, from_user=who))[1]

    followers = [f"oWorker{n}" for n in range(5)]
    with gunicorn(workers=3) as base:
        for who in followers:
            assert ASK.encode() in push("查询工件", now, who)
        asked = [push("18-546", now + 1 + n, who) for n in range(3) for who in followers]
        left = [push("退出", now + 10, who) for who in followers[:2]]
        after = [push("18-546", now + 11, who) for who in followers]
    assert all(PLACE.encode() in answer for answer in asked), asked
    assert all(LEFT.encode() in answer for answer in left)
    assert [IDLE.encode() in answer for answer in after] == [True, True, False, False, False]
