"""Every reply type, configured as a rule, answered through the webhook and read back."""

import pytest

from autoreply.models import Message, Reply
from tests.factories import rule
from tests.wechat_client import event, inbound, text
from wechat import replies

REPLIES = {
    "text": ({"type": "text", "content": "hi {{ openid }}"}, replies.TextReply("hi oFollower1")),
    "image": (
        {"type": "image", "media_id": "{{ media_id }}"},
        replies.ImageReply("MEDIA_FROM_FOLLOWER"),
    ),
    "voice": ({"type": "voice", "media_id": "VOICE_1"}, replies.VoiceReply("VOICE_1")),
    "video": (
        {"type": "video", "media_id": "V1", "title": "A film",
         "description": "About {{ content }}"},
        replies.VideoReply("V1", "A film", "About "),
    ),
    "music": (
        {"type": "music", "title": "Song", "description": "d", "music_url": "http://m/1.mp3",
         "hq_music_url": "http://m/1hq.mp3", "thumb_media_id": "T1"},
        replies.MusicReply("T1", "Song", "d", "http://m/1.mp3", "http://m/1hq.mp3"),
    ),
    "news": (
        {"type": "news", "articles": [{"title": "T", "description": "D", "pic_url": "http://p",
                                       "url": "http://u?a=1&b=2"}]},
        replies.NewsReply((replies.Article("T", "D", "http://p", "http://u?a=1&b=2"),)),
    ),
    "transfer_customer_service": (
        {"type": "transfer_customer_service", "kf_account": "kf2001@gh_demo"},
        replies.TransferCustomerServiceReply("kf2001@gh_demo"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", REPLIES)
def test_every_reply_type_end_to_end(bot, acme, kind):
    data, expected = REPLIES[kind]
    rule(acme, kind, msg_type="image", replies=(data,))
    push = inbound("image", PicUrl="http://mmbiz/x.jpg", MediaId="MEDIA_FROM_FOLLOWER")
    assert bot.ask(push) == expected
    row = Message.objects.get()
    assert row.status == "reply" and f"<MsgType><![CDATA[{kind}]]></MsgType>" in row.reply


@pytest.mark.parametrize("kind", REPLIES)
def test_every_reply_type_encrypted(bot, acme, kind):
    data, expected = REPLIES[kind]
    rule(acme, kind, msg_type="image", replies=(data,))
    push = inbound("image", PicUrl="http://mmbiz/x.jpg", MediaId="MEDIA_FROM_FOLLOWER")
    assert replies.parse_reply(bot.decrypt(bot.post_encrypted(push))) == expected


def test_transfer_without_an_agent_leaves_transinfo_out(bot, acme):
    rule(acme, "kf", replies=({"type": "transfer_customer_service", "kf_account": ""},))
    response = bot.post(text("a person please"))
    assert b"<MsgType><![CDATA[transfer_customer_service]]></MsgType>" in response.content
    assert b"TransInfo" not in response.content


def test_news_with_several_articles_answers_events(bot, acme):
    articles = [{"title": f"Article {i}", "url": f"http://a/{i}"} for i in range(8)]
    rule(acme, "welcome", msg_type="event", event="subscribe",
         replies=({"type": "news", "articles": articles},))  # fmt: skip
    reply = bot.ask(event("subscribe"))
    assert isinstance(reply, replies.NewsReply) and len(reply.articles) == 8


def test_a_news_reply_over_the_message_limit_is_refused_by_the_renderer_too(bot, acme):
    """Stored outside validation (raw SQL, say): the renderer still refuses, the follower
    gets `success`, and the message log says why."""
    two = rule(acme, "two", keywords=(("exact", "news"),), replies=(
        {"type": "news", "articles": [{"title": "a"}, {"title": "b"}]},))  # fmt: skip
    assert Reply.objects.get(rule=two).articles.count() == 2
    assert bot.post(text("news")).content == b"success"
    row = Message.objects.get()
    assert row.status == "error" and "1 to 1 articles, not 2" in row.error


def test_a_template_that_fails_at_render_time_answers_success(bot, acme):
    rule(acme, "broken", keywords=(("exact", "x"),),
         replies=("{{ content|date:'Y' }}{% widthratio 1 0 'x' %}",))  # fmt: skip
    response = bot.post(text("x"))
    assert (response.status_code, response.content) == (200, b"success")
    row = Message.objects.get()
    assert row.status == "error" and row.error


def test_a_text_reply_that_renders_empty_is_a_silence(bot, acme):
    rule(acme, "maybe", keywords=(("exact", "x"),),
         replies=("{% if content == 'never' %}yes{% endif %}",))  # fmt: skip
    assert bot.post(text("x")).content == b"success"
    row = Message.objects.get()
    assert row.status == "silence" and "rendered empty" in row.error


def test_reply_create_time_is_the_time_of_answering(bot, acme):
    import time

    rule(acme, "hi", keywords=(("exact", "hi"),), replies=("hello",))
    before = int(time.time())
    response = bot.post(text("hi", create_time=1_400_000_000))
    created = int(response.content.split(b"<CreateTime>")[1].split(b"<")[0])
    assert before <= created <= int(time.time())
