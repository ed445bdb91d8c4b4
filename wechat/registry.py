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
    attrs: Mapping[str, str] = field(init=False, repr=False)
    """Attribute name -> XML tag, for the tags this type documents."""

    def __post_init__(self) -> None:
        attrs = {FIELDS[tag].attr: tag for tag in HEADER + self.tags}
        object.__setattr__(self, "attrs", attrs)


def _message(msg_type: str, *tags: str) -> MessageType:
    return MessageType(msg_type, "", ("MsgId", *tags), STANDARD_DOC)


def _event(event: str, *tags: str, doc: str = EVENT_DOC) -> MessageType:
    return MessageType("event", event, ("Event", *tags), doc)


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
    _event("subscribe", "EventKey", "Ticket"),  # EventKey "qrscene_<id>" when via a QR code
    _event("unsubscribe", "EventKey"),
    _event("SCAN", "EventKey", "Ticket"),
    _event("LOCATION", "Latitude", "Longitude", "Precision"),
    _event("CLICK", "EventKey"),
    _event("VIEW", *_MENU),
    # Custom-menu events.
    _event("scancode_push", *_SCAN_CODE, doc=MENU_DOC),
    _event("scancode_waitmsg", *_SCAN_CODE, doc=MENU_DOC),
    _event("pic_sysphoto", *_PICS, doc=MENU_DOC),
    _event("pic_photo_or_album", *_PICS, doc=MENU_DOC),
    _event("pic_weixin", *_PICS, doc=MENU_DOC),
    _event("location_select", "EventKey", "SendLocationInfo", doc=MENU_DOC),
    _event("view_miniprogram", *_MENU, doc=MENU_DOC),
    # Delivery reports for template and mass messages.
    _event("TEMPLATESENDJOBFINISH", "MsgID", "Status", doc=TEMPLATE_DOC),
    _event("MASSSENDJOBFINISH", "MsgID", "Status", *_MASS_COUNTS, doc=MASS_DOC),
    # Customer-service sessions.
    _event("kf_create_session", "KfAccount", doc=KF_DOC),
    _event("kf_close_session", "KfAccount", doc=KF_DOC),
    _event("kf_switch_session", "FromKfAccount", "ToKfAccount", doc=KF_DOC),
)

# WeChat mixes cases in event names (SCAN, subscribe); match them case-insensitively.
REGISTRY: dict[tuple[str, str], MessageType] = {(t.msg_type, t.event.lower()): t for t in TYPES}


def lookup(msg_type: str, event: str) -> MessageType | None:
    """The declared type for a push (event '' for ordinary messages), or None if undeclared."""
    return REGISTRY.get((msg_type, event.lower()))
