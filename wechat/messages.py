"""Inbound pushes: the safe, total parser from WeChat's XML to a frozen `Message`.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
"""

from typing import Any, NamedTuple

from wechat.document import read_document
from wechat.errors import NotWeChatMessageError
from wechat.fields import FIELDS
from wechat.registry import HEADER, MessageType, lookup

MAX_BYTES = 1_048_576
"""Largest body accepted by default; WeChat's pushes are a few hundred bytes."""

# NamedTuple's generated __new__ is a Python function wrapped around this one; called
# directly, it builds the same Message in a third of the time, once per request.
_new_message = tuple.__new__
# Which element holds what the follower said, by MsgType.
_TEXT_TAGS = {"text": "Content", "voice": "Recognition"}


class Message(NamedTuple):
    """One push from WeChat: its header, every element in `fields`, and its declared type.

    A NamedTuple because it is immutable and cheap to build (one per request). The
    header every push carries is stored; everything else (`msg_id`, `event_key`, and
    per-type attributes like `content`, `ticket`, `send_pics_info`) reads `fields`,
    the per-type ones through the tag table (see `__getattr__`).
    """

    msg_type: str
    event: str
    """The Event as sent, '' for ordinary messages."""
    to_user: str
    from_user: str
    create_time: int
    fields: dict[str, object]
    """Every element by XML tag, converted; unknown tags as text or nested dicts."""
    kind: MessageType | None
    """The declared type, or None for a push the registry does not know (kept whole)."""

    @property
    def msg_id(self) -> int | None:
        """MsgId, or MsgID for the job-finish events; None for pushes that carry neither."""
        value = self.fields.get("MsgId", self.fields.get("MsgID"))
        return value if isinstance(value, int) else None

    @property
    def event_key(self) -> str:
        return _text(self.fields, "EventKey")

    @property
    def known(self) -> bool:
        return self.kind is not None

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"

    @property
    def text(self) -> str:
        """What the follower said: Content of a text, Recognition of a voice message, else ''."""
        return _text(self.fields, _TEXT_TAGS.get(self.msg_type, ""))

    @property
    def media_id(self) -> str:
        return _text(self.fields, "MediaId")

    def get(self, tag: str, default: object = None) -> object:
        """The converted value of one XML tag, or `default` when the push lacks it."""
        return self.fields.get(tag, default)

    def __getattr__(self, name: str) -> Any:
        # Per-type attributes come from the table, so a type is declared once, as data.
        # Only reached for names that are not fields, properties or tuple methods.
        tag = self.kind.attrs.get(name) if self.kind is not None else None
        if tag is None:
            raise AttributeError(f"a {self.msg_type} push has no attribute {name!r}")
        return self.fields.get(tag, FIELDS[tag].missing)


def parse_message(body: bytes, *, max_bytes: int = MAX_BYTES) -> Message:
    """Parse a plaintext push; unknown types parse too, as a generic message with `known` False."""
    fields = read_document(body, max_bytes=max_bytes)
    get = fields.get
    msg_type, to_user, from_user = get("MsgType"), get("ToUserName"), get("FromUserName")
    create_time, event = get("CreateTime"), get("Event", "") if msg_type == "event" else ""
    # The table reads these as text (str) and CreateTime as an int (or raises), so
    # present is all they still need to be.
    if not (msg_type and to_user and from_user and create_time is not None):
        raise _missing_header(fields)
    if msg_type == "event" and not event:
        raise NotWeChatMessageError("the event push lacks <Event>; every WeChat event has one")
    header = (msg_type, event, to_user, from_user, create_time, fields, lookup(msg_type, event))
    return _new_message(Message, header)


def _missing_header(fields: dict[str, object]) -> NotWeChatMessageError:
    missing = [tag for tag in HEADER if not fields.get(tag)] or list(HEADER)
    return NotWeChatMessageError(
        f"the push lacks {', '.join(f'<{tag}>' for tag in missing)}; every WeChat push has them"
    )


def _text(fields: dict[str, object], tag: str) -> str:
    value = fields.get(tag, "")
    return value if isinstance(value, str) else ""
