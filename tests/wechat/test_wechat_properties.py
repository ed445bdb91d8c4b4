"""Properties over generated input: text survives the XML round trips, crypto is exact,
and tampering with any single character of a signed push is always caught."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from wechat.crypto import MessageCrypto
from wechat.errors import WeChatError
from wechat.messages import parse_message
from wechat.replies import TextReply, parse_reply, render_reply
from wechat.signature import check_msg_signature, check_request_params, sign
from wechat.xmlwriter import clean_text, write_xml

ALNUM = string.ascii_letters + string.digits
# Any 43 ASCII letters and digits make a key: they always decode to 32 bytes (the last
# digit's two spare bits are dropped), which is how WeChat generates and reads them.
keys = st.text(alphabet=ALNUM, min_size=43, max_size=43)
app_ids = st.text(min_size=0, max_size=40)
timestamps = st.integers(min_value=1_000_000_000, max_value=9_999_999_999).map(str)
nonces = st.text(alphabet=ALNUM, min_size=1, max_size=64)


@given(st.text())
def test_any_text_survives_a_text_reply(text: str) -> None:
    body = render_reply(
        TextReply(text), to_user="o_user", from_user="gh_me", create_time=1, answering_event=False
    )
    assert parse_reply(body) == TextReply(clean_text(text))


@given(st.text())
def test_any_text_survives_an_inbound_text_message(text: str) -> None:
    body = write_xml(
        {
            "ToUserName": "gh_me",
            "FromUserName": "o_user",
            "CreateTime": 1409735668,
            "MsgType": "text",
            "Content": text,
            "MsgId": 6054768590064713728,
        }
    )
    assert parse_message(body).content == clean_text(text)


@settings(max_examples=200)
@given(st.binary(max_size=2048), app_ids, keys)
def test_decrypt_inverts_encrypt(xml: bytes, app_id: str, key: str) -> None:
    crypto = MessageCrypto(key, app_id)
    assert crypto.decrypt(crypto.encrypt(xml)) == xml


def verify_and_decrypt(crypto: MessageCrypto, token: str, push: dict[str, str]) -> bytes:
    """What the webhook does with an encrypted push: check shapes, signature, decrypt."""
    check_request_params(push["timestamp"], push["nonce"])
    check_msg_signature(
        token, push["timestamp"], push["nonce"], push["encrypt"], push["msg_signature"]
    )
    return crypto.decrypt(push["encrypt"])


@settings(max_examples=300)
@given(
    key=keys,
    timestamp=timestamps,
    nonce=nonces,
    xml=st.binary(min_size=1, max_size=300),
    part=st.sampled_from(["encrypt", "timestamp", "nonce", "msg_signature"]),
    position=st.integers(min_value=0),
    replacement=st.characters(codec="utf-8"),
)
def test_changing_any_single_character_is_caught(
    key: str,
    timestamp: str,
    nonce: str,
    xml: bytes,
    part: str,
    position: int,
    replacement: str,
) -> None:
    crypto = MessageCrypto(key, "wx2c2769f8efd9abc2")
    encrypt = crypto.encrypt(xml)
    push = {
        "encrypt": encrypt,
        "timestamp": timestamp,
        "nonce": nonce,
        "msg_signature": sign("token", timestamp, nonce, encrypt),
    }
    assert verify_and_decrypt(crypto, "token", push) == xml
    value = push[part]
    index = position % len(value)
    if value[index] == replacement:
        return  # not a change
    push[part] = value[:index] + replacement + value[index + 1 :]
    try:
        verify_and_decrypt(crypto, "token", push)
    except WeChatError:
        return
    raise AssertionError(f"changing {part}[{index}] to {replacement!r} went unnoticed")
