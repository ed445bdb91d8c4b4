"""The registry of push types: every type declared once, documented, and exercised."""

from pathlib import Path

from wechat.fields import FIELDS
from wechat.registry import REGISTRY, TYPES, lookup

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
OFFICIAL = "https://developers.weixin.qq.com/doc/offiaccount/"


def test_each_type_is_registered_once() -> None:
    assert len(REGISTRY) == len(TYPES)


def test_each_type_links_its_official_document() -> None:
    for kind in TYPES:
        assert kind.doc.startswith(OFFICIAL) and kind.doc.endswith(".html"), kind


def test_each_type_reads_its_tags_through_the_table() -> None:
    for kind in TYPES:
        assert set(kind.tags) <= set(FIELDS), kind
        assert set(kind.attrs.values()) >= {"ToUserName", "FromUserName", "CreateTime", "MsgType"}


def test_each_type_has_a_real_payload_file() -> None:
    for kind in TYPES:
        name = f"event_{kind.event}.xml" if kind.event else f"{kind.msg_type}.xml"
        assert (PAYLOADS / name).exists(), f"{name} is missing for {kind.msg_type}/{kind.event}"


def test_all_seven_ordinary_types_and_the_documented_events_are_declared() -> None:
    ordinary = {kind.msg_type for kind in TYPES if not kind.event}
    assert ordinary == {"text", "image", "voice", "video", "shortvideo", "location", "link"}
    events = {kind.event for kind in TYPES if kind.event}
    assert events >= {
        "subscribe", "unsubscribe", "SCAN", "LOCATION", "CLICK", "VIEW", "scancode_push",
        "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin",
        "location_select", "view_miniprogram", "TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH",
    }  # fmt: skip


def test_lookup_matches_event_names_case_insensitively_only() -> None:
    assert lookup("event", "Subscribe") is lookup("event", "subscribe") is not None
    assert lookup("event", "location") is lookup("event", "LOCATION") is not None
    assert lookup("text", "") is not None
    assert lookup("Text", "") is None  # MsgType is matched as sent
    assert lookup("event", "") is None
