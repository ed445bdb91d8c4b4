"""Passive replies: exact official layouts, limits, and render -> parse round trips."""

import dataclasses
from typing import TypeVar, get_args

import pytest

from wechat.errors import ReplyError, WeChatError
from wechat.replies import (
    ARTICLE_FIELDS,
    REPLY_KINDS,
    Article,
    ImageReply,
    MusicReply,
    NewsReply,
    Reply,
    TextReply,
    TransferCustomerServiceReply,
    VideoReply,
    VoiceReply,
    kind_of,
    max_articles,
    parse_reply,
    render_reply,
)

T = TypeVar("T")
HEADER = (
    "<ToUserName><![CDATA[follower]]></ToUserName>"
    "<FromUserName><![CDATA[gh_account]]></FromUserName><CreateTime>1409735669</CreateTime>"
)


def render(reply: Reply, *, answering_event: bool = False) -> bytes:
    return render_reply(
        reply,
        to_user="follower",
        from_user="gh_account",
        create_time=1409735669,
        answering_event=answering_event,
    )


def cdata(tag: str, value: str) -> str:
    return f"<{tag}><![CDATA[{value}]]></{tag}>"


# One sample of each type and its exact layout, as in the official passive-reply doc.
LAYOUTS: list[tuple[Reply, str]] = [
    (TextReply("你好"), cdata("MsgType", "text") + cdata("Content", "你好")),
    (ImageReply("m1"), cdata("MsgType", "image") + "<Image>" + cdata("MediaId", "m1") + "</Image>"),
    (VoiceReply("m2"), cdata("MsgType", "voice") + "<Voice>" + cdata("MediaId", "m2") + "</Voice>"),
    (
        VideoReply("m3", "title", "desc"),
        cdata("MsgType", "video")
        + "<Video>"
        + cdata("MediaId", "m3")
        + cdata("Title", "title")
        + cdata("Description", "desc")
        + "</Video>",
    ),
    (
        MusicReply("thumb", "title", "desc", "http://m/1.mp3", "http://m/hq.mp3"),
        cdata("MsgType", "music")
        + "<Music>"
        + cdata("Title", "title")
        + cdata("Description", "desc")
        + cdata("MusicUrl", "http://m/1.mp3")
        + cdata("HQMusicUrl", "http://m/hq.mp3")
        + cdata("ThumbMediaId", "thumb")
        + "</Music>",
    ),
    (
        NewsReply((Article("t", "d", "http://p/1.jpg", "http://u/1"),)),
        cdata("MsgType", "news")
        + "<ArticleCount>1</ArticleCount><Articles><item>"
        + cdata("Title", "t")
        + cdata("Description", "d")
        + cdata("PicUrl", "http://p/1.jpg")
        + cdata("Url", "http://u/1")
        + "</item></Articles>",
    ),
    (TransferCustomerServiceReply(), cdata("MsgType", "transfer_customer_service")),
    (
        TransferCustomerServiceReply("kf2001@gh_account"),
        cdata("MsgType", "transfer_customer_service")
        + "<TransInfo>"
        + cdata("KfAccount", "kf2001@gh_account")
        + "</TransInfo>",
    ),
]


@pytest.mark.parametrize(("reply", "body"), LAYOUTS, ids=lambda v: type(v).__name__)
def test_reply_renders_the_official_layout(reply: Reply, body: str) -> None:
    assert render(reply) == f"<xml>{HEADER}{body}</xml>".encode()


@pytest.mark.parametrize(("reply", "body"), LAYOUTS, ids=lambda v: type(v).__name__)
def test_reply_round_trips(reply: Reply, body: str) -> None:
    assert parse_reply(render(reply)) == reply


def test_every_reply_type_has_a_layout_sample() -> None:
    assert {type(reply) for reply, _ in LAYOUTS} == set(get_args(Reply))


def terminator_everywhere(item: T) -> T:
    """The reply (or article) with "]]>" and friends inside every string field."""
    changes: dict[str, object] = {
        field.name: f"x]]>{field.name}]]]>>"
        for field in dataclasses.fields(item)  # type: ignore[arg-type]
        if isinstance(getattr(item, field.name), str)
    }
    if isinstance(item, NewsReply):
        changes["articles"] = tuple(terminator_everywhere(a) for a in item.articles)
    return dataclasses.replace(item, **changes)  # type: ignore[type-var]


@pytest.mark.parametrize(("reply", "body"), LAYOUTS, ids=lambda v: type(v).__name__)
def test_cdata_terminator_in_every_field_round_trips(reply: Reply, body: str) -> None:
    tricky = terminator_everywhere(reply)
    rendered = render(tricky)
    assert parse_reply(rendered) == tricky
    if tricky != reply:
        assert b"]]]]><![CDATA[>" in rendered


def test_news_holds_one_article_when_answering_a_message() -> None:
    two = NewsReply((Article("a"), Article("b")))
    with pytest.raises(ReplyError, match=r"message.* 1 to 1 articles, not 2") as raised:
        render(two)
    assert raised.value.code == -40011


def test_news_holds_eight_articles_when_answering_an_event() -> None:
    eight = NewsReply(tuple(Article(f"a{i}", url=f"http://u/{i}") for i in range(8)))
    assert parse_reply(render(eight, answering_event=True)) == eight
    with pytest.raises(ReplyError, match=r"event.* 1 to 8 articles, not 9"):
        render(NewsReply((*eight.articles, Article("one too many"))), answering_event=True)


@pytest.mark.parametrize("answering_event", [False, True])
def test_news_needs_an_article(answering_event: bool) -> None:
    with pytest.raises(ReplyError, match="not 0"):
        render(NewsReply(()), answering_event=answering_event)


@pytest.mark.parametrize(
    ("reply", "field"),
    [
        (MusicReply(""), "thumb_media_id"),
        (ImageReply(""), "media_id"),
        (VoiceReply(""), "media_id"),
        (VideoReply("", "title"), "media_id"),
    ],
)
def test_reply_missing_its_required_value_is_refused(reply: Reply, field: str) -> None:
    with pytest.raises(ReplyError, match=field):
        render(reply)


def test_non_text_value_is_refused() -> None:
    with pytest.raises(ReplyError, match="content must be text"):
        render(TextReply(42))  # type: ignore[arg-type]


def test_unknown_reply_type_is_refused() -> None:
    with pytest.raises(ReplyError, match="str is not a passive reply type"):
        render("hello")  # type: ignore[arg-type]


def test_reply_needs_both_users() -> None:
    with pytest.raises(ReplyError, match="ToUserName"):
        render_reply(
            TextReply("x"), to_user="", from_user="gh", create_time=1, answering_event=False
        )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<xml><MsgType>event</MsgType></xml>", "not a passive reply type"),
        (b"<xml><Content>x</Content></xml>", "None"),
        (b"<xml><MsgType>image</MsgType></xml>", "media_id is empty"),
        (b"<xml><MsgType>image</MsgType><Image>m</Image></xml>", "<Image> should hold elements"),
        (
            b"<xml><MsgType>news</MsgType><ArticleCount>2</ArticleCount>"
            b"<Articles><item><Title>a</Title></item></Articles></xml>",
            "ArticleCount '2' does not match the 1",
        ),
        (
            b"<xml><MsgType>text</MsgType><Content><b>x</b></Content></xml>",
            "<Content> should hold text",
        ),
    ],
)
def test_parse_reply_refuses_what_render_reply_cannot_produce(body: bytes, says: str) -> None:
    with pytest.raises(WeChatError, match=says) as raised:
        parse_reply(body)
    assert raised.value.code in (-40011, -40002)


def test_every_reply_class_is_declared_with_its_own_fields() -> None:
    assert {kind.cls for kind in REPLY_KINDS.values()} == set(get_args(Reply))
    for kind in REPLY_KINDS.values():
        attributes = {field.name for field in dataclasses.fields(kind.cls)}
        assert attributes == ({"articles"} if kind.articles else set(kind.field_names)), kind.name
    assert tuple(f.name for f in dataclasses.fields(Article)) == tuple(
        field.name for field in ARTICLE_FIELDS
    )


def test_article_limits_are_one_for_a_message_and_eight_for_an_event() -> None:
    assert (max_articles(answering_event=False), max_articles(answering_event=True)) == (1, 8)


def test_kind_of_refuses_what_is_not_a_reply() -> None:
    assert kind_of(TextReply("x")) is REPLY_KINDS["text"]
    with pytest.raises(ReplyError, match="Article is not a passive reply type"):
        kind_of(Article("a"))
