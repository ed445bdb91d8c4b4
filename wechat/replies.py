"""Passive replies: the reply types declared once (REPLY_KINDS), their XML, and the way back.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
"""

from collections.abc import Callable
from dataclasses import dataclass

from wechat.document import read_document
from wechat.errors import ReplyError
from wechat.reply_values import (
    Article,
    ImageReply,
    MusicReply,
    NewsReply,
    Reply,
    TextReply,
    TransferCustomerServiceReply,
    VideoReply,
    VoiceReply,
)
from wechat.xmlwriter import write_xml

# The reply values are part of this module's interface: `from wechat.replies import TextReply`.
__all__ = ["ARTICLE_FIELDS", "REPLY_KINDS", "ReplyField", "ReplyKind", "kind_of", "max_articles"]
__all__ += ["Article", "ImageReply", "MusicReply", "NewsReply", "parse_reply", "render_reply"]
__all__ += ["Reply", "TextReply", "TransferCustomerServiceReply", "VideoReply", "VoiceReply"]


MAX_BYTES = 1_048_576
# WeChat shows one article when answering a follower's message, up to eight for an event.
NEWS_LIMIT_MESSAGE = 1
NEWS_LIMIT_EVENT = 8


def _(label: str) -> str:
    """Marks a label for makemessages without translating it: wechat/ knows no Django;
    autoreply.choices translates the labels."""
    return label


@dataclass(frozen=True, slots=True)
class ReplyField:
    """One text value of a reply: its attribute (also the rules file's key and the Reply
    model's field), its XML tag, and whether a rule's reply must fill it."""

    name: str
    tag: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class ReplyKind:
    """One reply type, declared once: everything else (the rules file, the admin, the
    renderer, the simulator) reads it from here.

    `name` is both the reply's MsgType and the rules file's `type`. The values go inside
    the XML element `group` ('' for none); `fields` are in rules-file order, which is also
    the XML order. A kind with `articles` carries news articles (ARTICLE_FIELDS) instead.
    """

    name: str
    label: str
    cls: type[Reply]
    group: str = ""
    fields: tuple[ReplyField, ...] = ()
    articles: bool = False
    answers_events: bool = True
    optional_group: bool = False  # leave the group out when all its values are empty
    renders_empty: bool = False  # required for operators, yet an empty one is valid XML
    heading: str = ""  # how a person calls one (the simulator); default "<name> reply"
    blank: str = ""  # what it means when every value is empty (the simulator)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)


_CONTENT = ReplyField("content", "Content", required=True)
_MEDIA_ID = ReplyField("media_id", "MediaId", required=True)
_TITLE = ReplyField("title", "Title")
_DESCRIPTION = ReplyField("description", "Description")
_URLS = (ReplyField("music_url", "MusicUrl"), ReplyField("hq_music_url", "HQMusicUrl"))
_THUMB = ReplyField("thumb_media_id", "ThumbMediaId", required=True)
ARTICLE_FIELDS = (_TITLE, _DESCRIPTION, ReplyField("pic_url", "PicUrl"), ReplyField("url", "Url"))
REPLY_KINDS: dict[str, ReplyKind] = {
    kind.name: kind
    for kind in (
        ReplyKind("text", _("text"), TextReply, fields=(_CONTENT,), renders_empty=True),
        ReplyKind("image", _("image"), ImageReply, "Image", (_MEDIA_ID,)),
        ReplyKind("voice", _("voice"), VoiceReply, "Voice", (_MEDIA_ID,)),
        ReplyKind("video", _("video"), VideoReply, "Video", (_MEDIA_ID, _TITLE, _DESCRIPTION)),
        ReplyKind("music", _("music"), MusicReply, "Music", (_TITLE, _DESCRIPTION, *_URLS, _THUMB)),
        ReplyKind("news", _("news (articles)"), NewsReply, "Articles", articles=True),
        ReplyKind(
            "transfer_customer_service",
            _("transfer to customer service"),
            TransferCustomerServiceReply,
            "TransInfo",
            (ReplyField("kf_account", "KfAccount"),),
            answers_events=False,
            optional_group=True,
            heading="transfer to customer service",
            blank="(any agent)",
        ),
    )
}
_BY_CLASS: dict[type, ReplyKind] = {kind.cls: kind for kind in REPLY_KINDS.values()}


def kind_of(reply: object) -> ReplyKind:
    """The declared kind of a reply object; ReplyError for anything else."""
    kind = _BY_CLASS.get(type(reply))
    if kind is None:
        raise ReplyError(f"{type(reply).__name__} is not a passive reply type")
    return kind


def max_articles(answering_event: bool) -> int:
    """How many news articles WeChat shows in one reply (it silently drops the rest)."""
    return NEWS_LIMIT_EVENT if answering_event else NEWS_LIMIT_MESSAGE


def render_reply(
    reply: Reply, *, to_user: str, from_user: str, create_time: int, answering_event: bool
) -> bytes:
    """Render `reply` to `to_user` as the XML body of the webhook's answer."""
    kind = kind_of(reply)
    if not (to_user and from_user):
        raise ReplyError("a reply needs a ToUserName and a FromUserName (the message's From, To)")
    document: dict[str, object] = {
        "ToUserName": to_user,
        "FromUserName": from_user,
        "CreateTime": create_time,
        "MsgType": kind.name,
    }
    if not kind.group:
        _values(reply, kind.fields, document, check_required=not kind.renders_empty)
    elif isinstance(reply, NewsReply):
        document["ArticleCount"] = _check_news_count(reply, answering_event)
        document["Articles"] = [_values(article, ARTICLE_FIELDS, {}) for article in reply.articles]
    else:
        group = _values(reply, kind.fields, {})
        if any(group.values()) or not kind.optional_group:
            document[kind.group] = group
    return write_xml(document)


def _check_news_count(reply: NewsReply, answering_event: bool) -> int:
    limit = max_articles(answering_event)
    count = len(reply.articles)
    if not 1 <= count <= limit:
        answering = "an event" if answering_event else "a follower's message"
        raise ReplyError(f"a news reply to {answering} holds 1 to {limit} articles, not {count}")
    return count


def _values(
    item: object,
    fields: tuple[ReplyField, ...],
    values: dict[str, object],
    check_required: bool = True,
) -> dict[str, object]:
    """Add the item's values to `values` by tag, checking they are text and present."""
    for field in fields:
        value = getattr(item, field.name)
        if not isinstance(value, str):
            kind = type(value).__name__
            raise ReplyError(f"{type(item).__name__}.{field.name} must be text, not {kind}")
        if check_required and field.required and not value:
            raise ReplyError(f"{type(item).__name__}.{field.name} is empty; WeChat requires it")
        values[field.tag] = value
    return values


def parse_reply(body: bytes) -> Reply:
    """Read a rendered passive reply back into its type (the inverse of `render_reply`)."""
    document = read_document(body, max_bytes=MAX_BYTES)
    msg_type = document.get("MsgType")
    kind = REPLY_KINDS.get(msg_type) if isinstance(msg_type, str) else None
    if kind is None:
        raise ReplyError(f"MsgType {msg_type!r} is not a passive reply type")
    if kind.articles:
        return _read_news(document)
    section = _section(document.get(kind.group), kind.group) if kind.group else document
    build: Callable[..., Reply] = kind.cls  # news, the one kind with a non-text value, is above
    reply = build(**_read_values(section, kind.fields))
    # the same checks as rendering: required values are there
    _values(reply, kind.fields, {}, check_required=not kind.renders_empty)
    return reply


def _read_news(document: dict[str, object]) -> NewsReply:
    items = _section(document.get("Articles"), "Articles").get("item", [])
    articles = tuple(
        Article(**_read_values(_section(item, "item"), ARTICLE_FIELDS))
        for item in (items if isinstance(items, list) else [items])
    )
    count = document.get("ArticleCount")
    if count != str(len(articles)):
        raise ReplyError(f"ArticleCount {count!r} does not match the {len(articles)} <item> sent")
    return NewsReply(articles)


def _read_values(section: dict[str, object], fields: tuple[ReplyField, ...]) -> dict[str, str]:
    values = {}
    for field in fields:
        value = section.get(field.tag, "")
        if not isinstance(value, str):
            raise ReplyError(f"<{field.tag}> should hold text, not nested elements")
        values[field.name] = value
    return values


def _section(value: object, tag: str) -> dict[str, object]:
    if value is None or value == "":
        return {}  # an absent or empty element holds no values
    if not isinstance(value, dict):
        raise ReplyError(f"<{tag}> should hold elements, once")
    return value
