"""The table of WeChat's XML tags: for each, the Python attribute name and how it reads.

One table serves every message type, because WeChat gives a tag the same meaning
wherever it appears (Location_X is a float in a location message and in
SendLocationInfo alike). Tags not in the table are kept as text or nested dicts, by
`wechat.document`, which walks a parsed body with this table.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from wechat.errors import FieldShapeError, NotWeChatMessageError

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_UINT64_MAX = 2**64 - 1
# OpenIDs (28 characters), UnionIDs and original ids (gh_ + 12 hex) all fit this; the
# database's columns hold 64, so nothing the parser accepts can fail to be stored.
_USER_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_NAME = 64
"""Longest MsgType or Event accepted (WeChat's longest, TEMPLATESENDJOBFINISH, has 20)."""

Parse = Callable[[str, str], object]
"""Reads a leaf element's text; takes the tag too, to name it in errors."""


def text(tag: str, value: str) -> str:
    """Text, exactly as sent (CDATA sections and character references already merged)."""
    return value


def user_name(tag: str, value: str) -> str:
    """An OpenID or an original id (ToUserName, FromUserName): 1-64 of [A-Za-z0-9_-]."""
    if _USER_NAME.fullmatch(value):
        return value
    raise FieldShapeError(
        f"<{tag}> should be 1 to 64 ASCII letters, digits, '_' or '-', got {value[:40]!r}"
    )


def type_name(tag: str, value: str) -> str:
    """A type name (MsgType, Event): text of at most MAX_NAME characters."""
    if len(value) <= MAX_NAME:
        return value
    raise FieldShapeError(f"<{tag}> is {len(value)} characters long; the limit is {MAX_NAME}")


def seconds(tag: str, value: str) -> int:
    """A Unix time in seconds (CreateTime): 1 to 10 ASCII digits, as WeChat writes it."""
    if value.isdigit() and value.isascii():
        if len(value) <= 10:
            return int(value)
        raise FieldShapeError(f"<{tag}> should be at most 10 digits, got {value[:40]!r}")
    raise NotWeChatMessageError(f"<{tag}> should be a whole number, got {value[:40]!r}")


def integer(tag: str, value: str) -> int:
    """A non-negative whole number in ASCII digits; WeChat sends no signs or blanks."""
    # The length cap keeps int() far from Python's digit limit on hostile input.
    if value.isdigit() and value.isascii() and len(value) <= 20:
        return int(value)
    raise NotWeChatMessageError(f"<{tag}> should be a whole number, got {value[:40]!r}")


def message_id(tag: str, value: str) -> int:
    """An unsigned 64-bit id (MsgId, MsgID), kept exact: WeChat's ids use the full range."""
    if value.isdigit() and value.isascii():
        number = int(value) if len(value) <= 20 else _UINT64_MAX + 1
        if number <= _UINT64_MAX:
            return number
        raise FieldShapeError(f"<{tag}> is over the unsigned 64-bit range: {value[:40]!r}")
    raise NotWeChatMessageError(f"<{tag}> should be an unsigned 64-bit id, got {value[:40]!r}")


def decimal(tag: str, value: str) -> float:
    """A plain decimal such as a coordinate; no blanks, exponents, infinities or NaN."""
    if not _DECIMAL.fullmatch(value):
        raise NotWeChatMessageError(f"<{tag}> should be a decimal, got {value[:40]!r}")
    number = float(value)
    if not math.isfinite(number):  # 400 digits read as inf, which no JSON column holds
        raise FieldShapeError(f"<{tag}> is too large a number: {value[:40]!r}...")
    return number


@dataclass(frozen=True, slots=True)
class Field:
    """How one XML tag reads: its attribute name, its parser or nesting, its value if absent."""

    attr: str
    parse: Parse | None = text
    """A leaf's text -> value; None for a tag that holds elements."""
    nest: Literal["group", "list"] | None = None
    """A group of tagged elements (ScanCodeInfo), or a list of `<item>` groups (PicList)."""
    missing: object = ""


def _leaf(attr: str, parse: Parse) -> Field:
    return Field(attr, parse, missing=None)


def _group(attr: str) -> Field:
    return Field(attr, None, "group", None)


def _list(attr: str) -> Field:
    return Field(attr, None, "list", None)


# Attribute names follow the tags; MsgId and MsgID (job-finish events) both read as msg_id.
FIELDS: dict[str, Field] = {
    "ToUserName": Field("to_user", user_name),
    "FromUserName": Field("from_user", user_name),
    "CreateTime": _leaf("create_time", seconds),
    "MsgType": Field("msg_type", type_name),
    "MsgId": _leaf("msg_id", message_id),
    "MsgID": _leaf("msg_id", message_id),
    "Event": Field("event", type_name),
    "EventKey": Field("event_key"),
    "Content": Field("content"),
    "MsgDataId": Field("msg_data_id"),
    "Idx": _leaf("idx", integer),
    "PicUrl": Field("pic_url"),
    "MediaId": Field("media_id"),
    "Format": Field("format"),
    "Recognition": Field("recognition"),
    "ThumbMediaId": Field("thumb_media_id"),
    "Location_X": _leaf("location_x", decimal),
    "Location_Y": _leaf("location_y", decimal),
    "Scale": _leaf("scale", integer),
    "Label": Field("label"),
    "Poiname": Field("poiname"),
    "Title": Field("title"),
    "Description": Field("description"),
    "Url": Field("url"),
    "Ticket": Field("ticket"),
    "Latitude": _leaf("latitude", decimal),
    "Longitude": _leaf("longitude", decimal),
    "Precision": _leaf("precision", decimal),
    "MenuId": Field("menu_id"),  # digits for VIEW, but documented as an opaque id
    "ScanCodeInfo": _group("scan_code_info"),
    "ScanType": Field("scan_type"),
    "ScanResult": Field("scan_result"),
    "SendPicsInfo": _group("send_pics_info"),
    "Count": _leaf("count", integer),
    "PicList": _list("pic_list"),
    "PicMd5Sum": Field("pic_md5_sum"),
    "SendLocationInfo": _group("send_location_info"),
    "Status": Field("status"),
    "TotalCount": _leaf("total_count", integer),
    "FilterCount": _leaf("filter_count", integer),
    "SentCount": _leaf("sent_count", integer),
    "ErrorCount": _leaf("error_count", integer),
    "KfAccount": Field("kf_account"),
    "FromKfAccount": Field("from_kf_account"),
    "ToKfAccount": Field("to_kf_account"),
}
LEAVES: dict[str, Parse] = {tag: f.parse for tag, f in FIELDS.items() if f.parse is not None}
"""The tags that hold text, with how each reads (groups, lists, unknown tags are absent)."""
