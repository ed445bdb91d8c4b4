"""Inbound pushes: every payload file parses (or is refused) exactly as documented."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from wechat.errors import (
    FieldShapeError,
    HostileXmlError,
    NotWeChatMessageError,
    ParseXmlError,
    WeChatError,
)
from wechat.messages import Message, parse_message
from wechat.registry import REGISTRY

PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
REFUSED_PREFIXES = ("hostile__", "malformed__", "not_wechat__", "bad__")
ALL = sorted(path.name for path in PAYLOADS.glob("*.xml"))
ACCEPTED = [name for name in ALL if not name.startswith(REFUSED_PREFIXES)]
REFUSED = [name for name in ALL if name.startswith(REFUSED_PREFIXES)]

TO, FROM = "gh_10f6c3c3ac5a", "oyORnuP8q7ou2gfYjqLzSIWZf0rs"

# What each accepted payload must read as: attribute -> exact value (type checked too).
EXPECTED: dict[str, dict[str, object]] = {
    "text.xml": {
        "msg_type": "text",
        "content": "你好",
        "text": "你好",
        "msg_id": 6054768590064713728,
    },
    "text__cdata_terminator.xml": {"content": 'a]]>b <&> "quotes"', "msg_id": 6054768590064713729},
    "text__from_article.xml": {"content": "this is a test", "msg_data_id": "xxxx", "idx": 1},
    "text__max_msgid.xml": {"msg_id": 18446744073709551615, "content": "hello"},
    "text__whitespace_and_cr.xml": {"content": " \t line one\r\nline two "},
    # C0 controls typed by a follower, unescaped as WeChat passes them: removed, not refused.
    "text__control_characters.xml": {"content": " c and bell", "msg_id": 6054768590064713740},
    "text__comment_and_pi.xml": {"content": "hello", "msg_id": 6054768590064713731},
    "text__gbk_declared.xml": {"content": "你好，世界"},
    "text__declaration_and_whitespace.xml": {"content": "hello"},
    "text__doctype_in_content.xml": {"content": '<!DOCTYPE html><!ENTITY x "y">'},
    "image.xml": {
        "msg_type": "image",
        "pic_url": "http://mmbiz.qpic.cn/mmbiz_jpg/example/0",
        "media_id": "gyci5a-xxxxx-OL",
        "msg_id": 6272956824639273066,
        "text": "",
    },
    "voice.xml": {"media_id": "media_id", "format": "amr", "recognition": "", "text": ""},
    "voice__recognition.xml": {"recognition": "腾讯微信团队", "text": "腾讯微信团队"},
    "video.xml": {"media_id": "media_id", "thumb_media_id": "thumb_media_id"},
    "shortvideo.xml": {"msg_type": "shortvideo", "thumb_media_id": "thumb_media_id"},
    "location.xml": {
        "location_x": 23.134521,
        "location_y": 113.358803,
        "scale": 20,
        "label": "位置信息",
        "msg_id": 1234567890123461,
    },
    "link.xml": {
        "title": "公众平台官网链接",
        "description": "公众平台官网链接",
        "url": "https://mp.weixin.qq.com/",
    },
    "event_subscribe.xml": {"event": "subscribe", "event_key": "", "ticket": "", "msg_id": None},
    "event_subscribe__qrscene.xml": {"event_key": "qrscene_123123", "ticket": "TICKET"},
    "event_unsubscribe.xml": {"event": "unsubscribe", "create_time": 1409735671},
    "event_SCAN.xml": {"event": "SCAN", "event_key": "123123", "ticket": "TICKET"},
    "event_SCAN__lowercase.xml": {"event": "scan", "event_key": "123123", "ticket": "TICKET"},
    "event_LOCATION.xml": {"latitude": 23.137466, "longitude": 113.352425, "precision": 119.38504},
    "event_CLICK.xml": {"event": "CLICK", "event_key": "V1001_TODAY_MUSIC"},
    "event_VIEW.xml": {"event_key": "https://www.example.com/", "menu_id": "208396938"},
    "event_view_miniprogram.xml": {"event_key": "pages/index/index", "menu_id": "MENUID"},
    "event_scancode_push.xml": {
        "event_key": "6",
        "scan_code_info": {"ScanType": "qrcode", "ScanResult": "1"},
    },
    "event_scancode_waitmsg.xml": {"scan_code_info": {"ScanType": "qrcode", "ScanResult": "2"}},
    "event_pic_sysphoto.xml": {
        "send_pics_info": {
            "Count": 1,
            "PicList": [{"PicMd5Sum": "1b5f7c23b5bf75682a53e7b6d163e185"}],
        }
    },
    "event_pic_photo_or_album.xml": {
        "send_pics_info": {
            "Count": 1,
            "PicList": [{"PicMd5Sum": "5a75aaca956d97be686719218f275c6b"}],
        }
    },
    "event_pic_weixin.xml": {
        "send_pics_info": {
            "Count": 1,
            "PicList": [{"PicMd5Sum": "5a75aaca956d97be686719218f275c6b"}],
        }
    },
    "event_location_select.xml": {
        "send_location_info": {
            "Location_X": 23.0,
            "Location_Y": 113.0,
            "Scale": 15,
            "Label": " 广州市海珠区客村艺苑路 106号",
            "Poiname": "",
        }
    },
    "event_TEMPLATESENDJOBFINISH.xml": {"msg_id": 200163836, "status": "success"},
    "event_MASSSENDJOBFINISH.xml": {
        "msg_id": 1988,
        "status": "sendsuccess",
        "total_count": 100,
        "filter_count": 80,
        "sent_count": 75,
        "error_count": 5,
    },
    "event_MASSSENDJOBFINISH__copyright.xml": {"msg_id": 1000001625, "status": "err(30003)"},
    "event_kf_create_session.xml": {"kf_account": "test1@test", "create_time": 1399197672},
    "event_kf_close_session.xml": {"kf_account": "test1@test"},
    "event_kf_switch_session.xml": {"from_kf_account": "test1@test", "to_kf_account": "test2@test"},
    "unknown_type.xml": {"msg_type": "miniprogrampage", "known": False, "msg_id": 1234567890123463},
    "event_unknown.xml": {"event": "some_future_event", "known": False, "event_key": "k"},
}

# Why each refused payload is refused: the error type, and a word the message must say.
WHY_REFUSED: dict[str, tuple[type[WeChatError], str]] = {
    "hostile__doctype.xml": (HostileXmlError, "DOCTYPE"),
    "hostile__entity_expansion.xml": (HostileXmlError, "DOCTYPE"),
    "hostile__external_entity.xml": (HostileXmlError, "DOCTYPE"),
    "hostile__external_dtd.xml": (HostileXmlError, "DOCTYPE"),
    "hostile__parameter_entity.xml": (HostileXmlError, "DOCTYPE"),
    "hostile__parameter_entity_file.xml": (HostileXmlError, "DOCTYPE"),
    "hostile__xinclude.xml": (HostileXmlError, "namespaced"),
    "hostile__namespaced_root.xml": (HostileXmlError, "namespaced"),
    "hostile__namespaced_field.xml": (HostileXmlError, "namespaced"),
    "hostile__deep.xml": (HostileXmlError, "nested 9 levels"),
    "hostile__very_deep.xml": (HostileXmlError, "depth"),
    "malformed__empty.xml": (ParseXmlError, "empty"),
    "malformed__unclosed.xml": (ParseXmlError, "Premature end"),
    "malformed__two_roots.xml": (ParseXmlError, "Extra content"),
    "malformed__undefined_entity.xml": (ParseXmlError, "nbsp"),
    "malformed__control_character.xml": (ParseXmlError, "xmlChar value 7"),
    "malformed__unsupported_encoding.xml": (ParseXmlError, "no-such-charset"),
    "malformed__plain_text.xml": (ParseXmlError, "not XML"),
    "bad__gbk_undecodable.xml": (ParseXmlError, "encoding"),
    "bad__declared_gbk_undecodable.xml": (ParseXmlError, "encoding"),
    "bad__utf16.xml": (ParseXmlError, "UTF-8"),
    "bad__utf16_doctype.xml": (ParseXmlError, "UTF-8"),
    "bad__utf7_declared.xml": (ParseXmlError, "UTF-7"),
    "not_wechat__no_msgtype.xml": (NotWeChatMessageError, "<MsgType>"),
    "not_wechat__empty_msgtype.xml": (NotWeChatMessageError, "<MsgType>"),
    "not_wechat__root_not_xml.xml": (NotWeChatMessageError, "<message>"),
    "not_wechat__no_createtime.xml": (NotWeChatMessageError, "<CreateTime>"),
    "not_wechat__no_fromusername.xml": (NotWeChatMessageError, "<FromUserName>"),
    "not_wechat__createtime_not_integer.xml": (NotWeChatMessageError, "<CreateTime>"),
    "not_wechat__createtime_negative.xml": (NotWeChatMessageError, "<CreateTime>"),
    "not_wechat__msgid_not_integer.xml": (NotWeChatMessageError, "<MsgId>"),
    "not_wechat__msgid_too_large.xml": (FieldShapeError, "64-bit"),
    "not_wechat__msgid_fullwidth_digits.xml": (NotWeChatMessageError, "<MsgId>"),
    "not_wechat__duplicate_msgtype.xml": (NotWeChatMessageError, "twice"),
    "not_wechat__content_holds_elements.xml": (NotWeChatMessageError, "<Content>"),
    "not_wechat__location_not_decimal.xml": (NotWeChatMessageError, "<Location_X>"),
    "not_wechat__fromusername_too_long.xml": (FieldShapeError, "<FromUserName>"),
    "not_wechat__tousername_not_an_id.xml": (FieldShapeError, "<ToUserName>"),
    "not_wechat__createtime_twenty_digits.xml": (FieldShapeError, "10 digits"),
    "not_wechat__msgtype_too_long.xml": (FieldShapeError, "<MsgType>"),
    "not_wechat__event_too_long.xml": (FieldShapeError, "<Event>"),
    "not_wechat__event_without_event.xml": (NotWeChatMessageError, "<Event>"),
    "not_wechat__location_endless.xml": (FieldShapeError, "<Location_X>"),
}
EXACT_TYPE = {"malformed__": ParseXmlError, "bad__": ParseXmlError}


def test_every_payload_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == ACCEPTED
    assert sorted(WHY_REFUSED) == REFUSED


@pytest.mark.parametrize("name", ACCEPTED)
def test_payload_parses_with_its_documented_values(
    name: str, payload: Callable[[str], bytes]
) -> None:
    message = parse_message(payload(name))
    assert (message.to_user, message.from_user) == (TO, FROM)
    assert type(message.create_time) is int
    for attr, expected in EXPECTED[name].items():
        value = getattr(message, attr)
        assert value == expected, attr
        assert type(value) is type(expected), attr


@pytest.mark.parametrize("name", ACCEPTED)
def test_payload_type_is_known_unless_it_is_new(name: str, payload: Callable[[str], bytes]) -> None:
    message = parse_message(payload(name))
    assert message.known is ("unknown" not in name)
    assert message.is_event is name.startswith("event_")
    assert message.event == ("" if not message.is_event else message.fields["Event"])


@pytest.mark.parametrize("name", REFUSED)
def test_refused_payload_raises_its_typed_error(name: str, payload: Callable[[str], bytes]) -> None:
    error_type, says = WHY_REFUSED[name]
    with pytest.raises(error_type) as raised:
        parse_message(payload(name))
    exact = next((kind for prefix, kind in EXACT_TYPE.items() if name.startswith(prefix)), None)
    if exact is not None:
        assert type(raised.value) is exact
    assert says in str(raised.value)
    assert raised.value.code == -40002


def test_every_element_is_kept_by_tag_with_its_converted_type(
    payload: Callable[[str], bytes],
) -> None:
    fields = parse_message(payload("event_MASSSENDJOBFINISH.xml")).fields
    assert fields == {
        "ToUserName": TO,
        "FromUserName": FROM,
        "CreateTime": 1409735670,
        "MsgType": "event",
        "Event": "MASSSENDJOBFINISH",
        "MsgID": 1988,
        "Status": "sendsuccess",
        "TotalCount": 100,
        "FilterCount": 80,
        "SentCount": 75,
        "ErrorCount": 5,
    }


def test_unknown_type_keeps_every_field_as_text(payload: Callable[[str], bytes]) -> None:
    message = parse_message(payload("unknown_type.xml"))
    assert message.kind is None
    assert message.fields["Title"] == "a page"
    assert message.get("Title") == "a page"
    with pytest.raises(AttributeError, match="title"):
        _ = message.title  # no declared type, so no per-type attributes


def test_unknown_event_keeps_every_field(payload: Callable[[str], bytes]) -> None:
    message = parse_message(payload("event_unknown.xml"))
    assert (message.known, message.event, message.event_key) == (False, "some_future_event", "k")
    assert set(message.fields) == {
        "ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey",
    }  # fmt: skip


def test_unknown_nested_elements_are_kept_as_dicts_and_lists(
    payload: Callable[[str], bytes],
) -> None:
    result = parse_message(payload("event_MASSSENDJOBFINISH__copyright.xml")).fields
    copyright_check = result["CopyrightCheckResult"]
    assert isinstance(copyright_check, dict)
    assert copyright_check["Count"] == "2"  # inside an unknown element, everything is text
    assert copyright_check["CheckState"] == "2"
    items = copyright_check["ResultList"]["item"]
    assert [item["OriginalArticleUrl"] for item in items] == ["Url_1", "Url_2"]


def test_attribute_outside_the_type_is_an_error(payload: Callable[[str], bytes]) -> None:
    message = parse_message(payload("text.xml"))
    with pytest.raises(AttributeError, match="ticket"):
        _ = message.ticket
    assert message.get("Ticket", "none") == "none"


def test_absent_documented_field_reads_as_its_empty_value(payload: Callable[[str], bytes]) -> None:
    message = parse_message(payload("text.xml"))
    assert (message.msg_data_id, message.idx) == ("", None)


def test_event_names_match_case_insensitively(payload: Callable[[str], bytes]) -> None:
    lower = parse_message(payload("event_SCAN__lowercase.xml"))
    upper = parse_message(payload("event_SCAN.xml"))
    assert lower.kind is upper.kind is REGISTRY[("event", "scan")]


def test_registry_attributes_never_hide_behind_message_attributes() -> None:
    # Message is a NamedTuple: a per-type attribute named like one of its own (count,
    # index...) would be shadowed by it, so only the header's own names may coincide.
    own = {name for name in dir(Message) if not name.startswith("_")}
    header = {"ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey"}
    for kind in REGISTRY.values():
        for attr, tag in kind.attrs.items():
            if attr in own:
                assert tag in header | {"MsgId", "MsgID", "MediaId"}, (kind, attr)


def test_max_bytes_is_enforced_before_parsing(payload: Callable[[str], bytes]) -> None:
    body = payload("text.xml")
    assert parse_message(body, max_bytes=len(body)).content == "你好"
    with pytest.raises(HostileXmlError, match="limit"):
        parse_message(body, max_bytes=len(body) - 1)


def test_only_bytes_are_accepted() -> None:
    with pytest.raises(ParseXmlError, match="bytes"):
        parse_message("<xml/>")  # type: ignore[arg-type]


def test_parsing_is_safe_from_several_threads(payload: Callable[[str], bytes]) -> None:
    bodies = {name: payload(name) for name in ACCEPTED}
    expected = {name: parse_message(body).fields for name, body in bodies.items()}

    def parse_all(_: int) -> bool:
        return all(parse_message(body).fields == expected[n] for n, body in bodies.items())

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(parse_all, range(32)))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_control_characters_are_removed_in_every_accepted_encoding(encoding: str) -> None:
    body = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        f"<xml><ToUserName>{TO}</ToUserName><FromUserName>{FROM}</FromUserName>"
        "<CreateTime>1409735668</CreateTime><MsgType>text</MsgType>"
        "<Content>你\x1d好\x02，\x10世界</Content><MsgId>1</MsgId></xml>"
    ).encode(encoding)
    assert parse_message(body).content == "你好，世界"


def test_field_shape_errors_are_refusals_of_a_not_wechat_message() -> None:
    """The webhook answers every NotWeChatMessageError with 400; shape errors are among them."""
    assert issubclass(FieldShapeError, NotWeChatMessageError)
    assert FieldShapeError("x").code == -40002
