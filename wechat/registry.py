"""The one registry of WeChat push types, keyed by MsgType and (for events) Event.

Each type is a one-line declaration of the tags its official document lists beyond
the common header; how a tag reads is the business of `wechat.fields`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from wechat.fields import FIELDS

_DOC = "https://developers.weixin.qq.com/doc/offiaccount/"
STANDARD_DOC = _DOC + "Message_Management/Receiving_standard_messages.html"
EVENT_DOC = _DOC + "Message_Management/Receiving_event_pushes.html"
MENU_DOC = _DOC + "Custom_Menus/Custom_Menu_Push_Events.html"
TEMPLATE_DOC = _DOC + "Message_Management/Template_Message_Interface.html"
MASS_DOC = _DOC + "Message_Management/Batch_Sends_and_Originality_Checks.html"
KF_DOC = _DOC + "Customer_Service/Session_control.html"

HEADER = ("ToUserName", "FromUserName", "CreateTime", "MsgType")


@dataclass(frozen=True, slots=True)
class MessageType:
    """One documented push: its MsgType, its Event ('' for ordinary messages), its tags, its doc."""

    msg_type: str
    event: str
    tags: tuple[str, ...]
    doc: str
    label: str = ""
    """What an event means, in an operator's words (translated by autoreply)."""
    attrs: Mapping[str, str] = field(init=False, repr=False)
    """Attribute name -> XML tag, for the tags this type documents."""

    def __post_init__(self) -> None:
        attrs = {FIELDS[tag].attr: tag for tag in HEADER + self.tags}
        object.__setattr__(self, "attrs", attrs)


def _(label: str) -> str:
    """Marks a label for makemessages without translating it: wechat/ knows no Django;
    autoreply translates the labels where it shows them."""
    return label


def _message(msg_type: str, *tags: str) -> MessageType:
    return MessageType(msg_type, "", ("MsgId", *tags), STANDARD_DOC)


def _event(event: str, label: str, *tags: str, doc: str = EVENT_DOC) -> MessageType:
    return MessageType("event", event, ("Event", *tags), doc, label)


_MENU = ("EventKey", "MenuId")
_SCAN_CODE = ("EventKey", "ScanCodeInfo")
_PICS = ("EventKey", "SendPicsInfo")
_MASS_COUNTS = ("TotalCount", "FilterCount", "SentCount", "ErrorCount")

TYPES: tuple[MessageType, ...] = (
    # Ordinary messages a follower sends; text from an article comment adds MsgDataId/Idx.
    _message("text", "Content", "MsgDataId", "Idx"),
    _message("image", "PicUrl", "MediaId", "MsgDataId", "Idx"),
    _message("voice", "MediaId", "Format", "Recognition", "MsgDataId", "Idx"),
    _message("video", "MediaId", "ThumbMediaId", "MsgDataId", "Idx"),
    _message("shortvideo", "MediaId", "ThumbMediaId", "MsgDataId", "Idx"),
    _message("location", "Location_X", "Location_Y", "Scale", "Label", "MsgDataId", "Idx"),
    _message("link", "Title", "Description", "Url", "MsgDataId", "Idx"),
    # Follow, QR-code scan, reported location, menu click/jump.
    # EventKey "qrscene_<id>" when via a QR code:
    _event("subscribe", _("follow (关注)"), "EventKey", "Ticket"),
    _event("unsubscribe", _("unfollow (取消关注)"), "EventKey"),
    _event("SCAN", _("a follower scans a QR code (扫描带参数二维码)"), "EventKey", "Ticket"),
    _event("LOCATION", _("location reported (上报地理位置)"), "Latitude", "Longitude", "Precision"),
    _event("CLICK", _("menu click (点击菜单拉取消息)"), "EventKey"),
    _event("VIEW", _("menu link opened (点击菜单跳转链接)"), *_MENU),
    # Custom-menu events.
    _event("scancode_push", _("menu: scan a code (扫码推事件)"), *_SCAN_CODE, doc=MENU_DOC),
    _event(
        "scancode_waitmsg",
        _("menu: scan a code and wait (扫码推事件且弹出“消息接收中”)"),
        *_SCAN_CODE,
        doc=MENU_DOC,
    ),
    _event("pic_sysphoto", _("menu: take a photo (弹出系统拍照发图)"), *_PICS, doc=MENU_DOC),
    _event(
        "pic_photo_or_album",
        _("menu: photo or album (弹出拍照或者相册发图)"),
        *_PICS,
        doc=MENU_DOC,
    ),
    _event("pic_weixin", _("menu: WeChat album (弹出微信相册发图器)"), *_PICS, doc=MENU_DOC),
    _event(
        "location_select",
        _("menu: choose a location (弹出地理位置选择器)"),
        "EventKey",
        "SendLocationInfo",
        doc=MENU_DOC,
    ),
    _event("view_miniprogram", _("menu: open a mini program (跳转小程序)"), *_MENU, doc=MENU_DOC),
    # Delivery reports for template and mass messages.
    _event(
        "TEMPLATESENDJOBFINISH",
        _("template message delivered (模板消息发送结果)"),
        "MsgID",
        "Status",
        doc=TEMPLATE_DOC,
    ),
    _event(
        "MASSSENDJOBFINISH",
        _("mass message sent (群发结果)"),
        "MsgID",
        "Status",
        *_MASS_COUNTS,
        doc=MASS_DOC,
    ),
    # Customer-service sessions.
    _event("kf_create_session", _("agent session opened (接入会话)"), "KfAccount", doc=KF_DOC),
    _event("kf_close_session", _("agent session closed (关闭会话)"), "KfAccount", doc=KF_DOC),
    _event(
        "kf_switch_session",
        _("agent session handed over (转接会话)"),
        "FromKfAccount",
        "ToKfAccount",
        doc=KF_DOC,
    ),
)

# WeChat mixes cases in event names (SCAN, subscribe); match them case-insensitively.
REGISTRY: dict[tuple[str, str], MessageType] = {(t.msg_type, t.event.lower()): t for t in TYPES}


# The Event values WeChat documents, in the order above: what an event rule can answer.
EVENTS: tuple[MessageType, ...] = tuple(t for t in TYPES if t.msg_type == "event")


def known_event(name: str) -> MessageType | None:
    """The documented event called `name` (compared as matching compares it), or None."""
    return lookup("event", name) if name else None


def lookup(msg_type: str, event: str) -> MessageType | None:
    """The declared type for a push (event '' for ordinary messages), or None if undeclared."""
    return REGISTRY.get((msg_type, event.lower()))
