"""Passive replies: the frozen reply types, their XML layout as data, and the way back.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
"""

from dataclasses import dataclass
from typing import TypeAlias

from wechat.document import read_document
from wechat.errors import ReplyError
from wechat.xmlwriter import write_xml

MAX_BYTES = 1_048_576
# WeChat shows one article when answering a follower's message, up to eight otherwise.
NEWS_LIMIT_MESSAGE = 1
NEWS_LIMIT_EVENT = 8


@dataclass(frozen=True, slots=True)
class TextReply:
    content: str


@dataclass(frozen=True, slots=True)
class ImageReply:
    media_id: str


@dataclass(frozen=True, slots=True)
class VoiceReply:
    media_id: str


@dataclass(frozen=True, slots=True)
class VideoReply:
    media_id: str
    title: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class MusicReply:
    thumb_media_id: str
    title: str = ""
    description: str = ""
    music_url: str = ""
    hq_music_url: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    description: str = ""
    pic_url: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class NewsReply:
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class TransferCustomerServiceReply:
    """Hands the conversation to customer service, to one agent when `kf_account` is set."""

    kf_account: str = ""


Reply: TypeAlias = (
    TextReply
    | ImageReply
    | VoiceReply
    | VideoReply
    | MusicReply
    | NewsReply
    | TransferCustomerServiceReply
)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where a reply's attributes go: (tag, attribute) pairs, inside `group` unless it is ''."""

    msg_type: str
    group: str
    tags: tuple[tuple[str, str], ...]
    required: tuple[str, ...] = ()
    optional_group: bool = False  # leave the group out when all its values are empty


_TITLE = (("Title", "title"), ("Description", "description"))
_ARTICLE = (*_TITLE, ("PicUrl", "pic_url"), ("Url", "url"))
_MEDIA = (("MediaId", "media_id"),)
_MUSIC = (*_TITLE, ("MusicUrl", "music_url"), ("HQMusicUrl", "hq_music_url"))
_THUMB = (("ThumbMediaId", "thumb_media_id"),)
_KF_ACCOUNT = (("KfAccount", "kf_account"),)
_LAYOUTS: dict[type[Reply], _Layout] = {
    TextReply: _Layout("text", "", (("Content", "content"),)),
    ImageReply: _Layout("image", "Image", _MEDIA, required=("media_id",)),
    VoiceReply: _Layout("voice", "Voice", _MEDIA, required=("media_id",)),
    VideoReply: _Layout("video", "Video", (*_MEDIA, *_TITLE), required=("media_id",)),
    MusicReply: _Layout("music", "Music", (*_MUSIC, *_THUMB), required=("thumb_media_id",)),
    NewsReply: _Layout("news", "Articles", _ARTICLE),
    TransferCustomerServiceReply: _Layout(
        "transfer_customer_service", "TransInfo", _KF_ACCOUNT, optional_group=True
    ),
}
_BY_MSG_TYPE = {layout.msg_type: kind for kind, layout in _LAYOUTS.items()}


def render_reply(
    reply: Reply, *, to_user: str, from_user: str, create_time: int, answering_event: bool
) -> bytes:
    """Render `reply` to `to_user` as the XML body of the webhook's answer."""
    layout = _LAYOUTS.get(type(reply))
    if layout is None:
        raise ReplyError(f"{type(reply).__name__} is not a passive reply type")
    if not (to_user and from_user):
        raise ReplyError("a reply needs a ToUserName and a FromUserName (the message's From, To)")
    document: dict[str, object] = {
        "ToUserName": to_user,
        "FromUserName": from_user,
        "CreateTime": create_time,
        "MsgType": layout.msg_type,
    }
    if not layout.group:
        _values(reply, layout, document)
    elif isinstance(reply, NewsReply):
        document["ArticleCount"] = _check_news_count(reply, answering_event)
        document["Articles"] = [_values(article, layout, {}) for article in reply.articles]
    else:
        group = _values(reply, layout, {})
        if any(group.values()) or not layout.optional_group:
            document[layout.group] = group
    return write_xml(document)


def _check_news_count(reply: NewsReply, answering_event: bool) -> int:
    limit = NEWS_LIMIT_EVENT if answering_event else NEWS_LIMIT_MESSAGE
    count = len(reply.articles)
    if not 1 <= count <= limit:
        answering = "an event" if answering_event else "a follower's message"
        raise ReplyError(f"a news reply to {answering} holds 1 to {limit} articles, not {count}")
    return count


def _values(item: object, layout: _Layout, values: dict[str, object]) -> dict[str, object]:
    """Add the item's values to `values` by tag, checking they are text and present."""
    for tag, attr in layout.tags:
        value = getattr(item, attr)
        if not isinstance(value, str):
            kind = type(value).__name__
            raise ReplyError(f"{type(item).__name__}.{attr} must be text, not {kind}")
        values[tag] = value
    for attr in layout.required:
        if not getattr(item, attr):
            raise ReplyError(f"{type(item).__name__}.{attr} is empty; WeChat requires it")
    return values


def parse_reply(body: bytes) -> Reply:
    """Read a rendered passive reply back into its type (the inverse of `render_reply`)."""
    document = read_document(body, max_bytes=MAX_BYTES)
    msg_type = document.get("MsgType")
    kind = _BY_MSG_TYPE.get(msg_type) if isinstance(msg_type, str) else None
    if kind is None:
        raise ReplyError(f"MsgType {msg_type!r} is not a passive reply type")
    layout = _LAYOUTS[kind]
    if issubclass(kind, NewsReply):
        return _read_news(document, layout)
    section = _section(document.get(layout.group), layout.group) if layout.group else document
    reply = kind(**_read_values(section, layout))
    _values(reply, layout, {})  # the same checks as rendering: required values are there
    return reply


def _read_news(document: dict[str, object], layout: _Layout) -> NewsReply:
    items = _section(document.get("Articles"), "Articles").get("item", [])
    articles = tuple(
        Article(**_read_values(_section(item, "item"), layout))
        for item in (items if isinstance(items, list) else [items])
    )
    count = document.get("ArticleCount")
    if count != str(len(articles)):
        raise ReplyError(f"ArticleCount {count!r} does not match the {len(articles)} <item> sent")
    return NewsReply(articles)


def _read_values(section: dict[str, object], layout: _Layout) -> dict[str, str]:
    values = {}
    for tag, attr in layout.tags:
        value = section.get(tag, "")
        if not isinstance(value, str):
            raise ReplyError(f"<{tag}> should hold text, not nested elements")
        values[attr] = value
    return values


def _section(value: object, tag: str) -> dict[str, object]:
    if value is None or value == "":
        return {}  # an absent or empty element holds no values
    if not isinstance(value, dict):
        raise ReplyError(f"<{tag}> should hold elements, once")
    return value
