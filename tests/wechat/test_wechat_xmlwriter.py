"""The one escaping writer: CDATA that survives "]]>", and nothing XML 1.0 forbids."""

import pytest

from wechat.document import read_document
from wechat.errors import ReplyError
from wechat.xmlwriter import clean_text, write_xml


def test_values_render_by_type() -> None:
    assert write_xml(
        {
            "Text": "hi",
            "Int": 42,
            "Float": 23.134521,
            "Group": {"Inner": "x", "Count": 1},
            "List": [{"A": "1"}, {"A": "2"}],
            "Absent": None,
        }
    ) == (
        b"<xml><Text><![CDATA[hi]]></Text><Int>42</Int><Float>23.134521</Float>"
        b"<Group><Inner><![CDATA[x]]></Inner><Count>1</Count></Group>"
        b"<List><item><A><![CDATA[1]]></A></item><item><A><![CDATA[2]]></A></item></List></xml>"
    )


def test_non_ascii_text_is_utf8() -> None:
    expected = "<xml><Content><![CDATA[你好]]></Content></xml>"
    assert write_xml({"Content": "你好"}) == expected.encode()


@pytest.mark.parametrize(
    ("text", "cdata"),
    [
        ("]]>", "]]]]><![CDATA[>"),
        ("a]]>b]]>c", "a]]]]><![CDATA[>b]]]]><![CDATA[>c"),
        ("]]]>>", "]]]]]><![CDATA[>>"),
        ("]]\x00>", "]]]]><![CDATA[>"),  # dropping the NUL must not leave a live "]]>"
    ],
)
def test_cdata_terminator_is_split(text: str, cdata: str) -> None:
    body = write_xml({"Content": text})
    assert body == f"<xml><Content><![CDATA[{cdata}]]></Content></xml>".encode()
    assert read_document(body, max_bytes=1024)["Content"] == clean_text(text)


def test_carriage_return_survives_as_a_character_reference() -> None:
    body = write_xml({"Content": "a\r\nb\rc"})
    assert b"&#13;" in body
    assert read_document(body, max_bytes=1024)["Content"] == "a\r\nb\rc"


FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud800", "\udfff"]


@pytest.mark.parametrize("char", FORBIDDEN)
def test_characters_xml_forbids_are_dropped(char: str) -> None:
    assert write_xml({"Content": f"a{char}b"}) == b"<xml><Content><![CDATA[ab]]></Content></xml>"


@pytest.mark.parametrize("char", ["\t", "\n", "\x7f", "\x85", "\u2028", "\ue000", "\U0001f600"])
def test_characters_xml_allows_are_kept(char: str) -> None:
    body = write_xml({"Content": f"a{char}b"})
    assert read_document(body, max_bytes=1024)["Content"] == f"a{char}b"


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"Flag": True}, "bool"),
        ({"Ratio": float("nan")}, "finite"),
        ({"Ratio": float("inf")}, "finite"),
        ({"Blob": b"bytes"}, "bytes"),
        ({"Set": {1, 2}}, "set"),
        ({"bad tag": "x"}, "bad tag"),
        ({"1st": "x"}, "1st"),
        ({"a<b": "x"}, "a<b"),
        ({"": "x"}, "''"),
    ],
)
def test_what_cannot_be_written_is_a_reply_error(fields: dict[str, object], says: str) -> None:
    with pytest.raises(ReplyError, match=says.replace("(", r"\(")) as raised:
        write_xml(fields)
    assert raised.value.code == -40011


def test_nesting_deeper_than_wechat_uses_is_refused() -> None:
    nested: dict[str, object] = {"Leaf": "x"}
    for _ in range(8):
        nested = {"Group": nested}
    with pytest.raises(ReplyError, match="deeper"):
        write_xml(nested)
