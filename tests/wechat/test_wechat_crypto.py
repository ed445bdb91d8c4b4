"""Message encryption: WeChat's official vectors byte for byte, and every typed failure."""

import base64
import struct
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from wechat.crypto import MessageCrypto, build_envelope, new_nonce, read_envelope
from wechat.document import read_document
from wechat.errors import (
    AppIdMismatchError,
    BadPaddingError,
    Base64DecodeError,
    DecryptError,
    EncryptError,
    HostileXmlError,
    IllegalAesKeyError,
    IllegalBufferError,
    NonceError,
    NotWeChatMessageError,
    TimestampError,
)
from wechat.signature import check_msg_signature, check_request_params, sign

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx2c2769f8efd9abc2"


def raw_encrypt(plain: bytes, key: str = KEY) -> str:
    """AES-CBC with WeChat's key and IV but no framing or padding: to forge bad plaintexts."""
    raw_key = base64.b64decode(key + "=")
    encryptor = Cipher(algorithms.AES(raw_key), modes.CBC(raw_key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def framed(
    xml: bytes, app_id: bytes, *, length: int | None = None, pad: bytes | None = None
) -> bytes:
    body = b"r" * 16 + struct.pack(">I", len(xml) if length is None else length) + xml + app_id
    if pad is None:
        count = 32 - len(body) % 32
        pad = bytes([count]) * count
    return body + pad


def test_java_sample_encrypts_byte_for_byte(vectors: dict[str, Any]) -> None:
    v = vectors["encrypt_java_sample"]
    crypto = MessageCrypto(v["encoding_aes_key"], v["app_id"])
    prefix = v["random_prefix"].encode()
    assert crypto.encrypt(v["plaintext"].encode(), random_prefix=prefix) == v["encrypt"]


def test_python_sample_verifies_and_decrypts_byte_for_byte(vectors: dict[str, Any]) -> None:
    v = vectors["decrypt_python_sample"]
    check_msg_signature(v["token"], v["timestamp"], v["nonce"], v["encrypt"], v["msg_signature"])
    crypto = MessageCrypto(v["encoding_aes_key"], v["app_id"])
    assert crypto.decrypt(v["encrypt"]) == v["plaintext"].encode()


def test_the_two_samples_agree(vectors: dict[str, Any]) -> None:
    v = vectors["encrypt_java_sample"]
    crypto = MessageCrypto(v["encoding_aes_key"], v["app_id"])
    assert crypto.decrypt(v["encrypt"]) == v["plaintext"].encode()


def test_random_prefix_comes_fresh_each_time() -> None:
    crypto = MessageCrypto(KEY, APP_ID)
    first, second = crypto.encrypt(b"<xml/>"), crypto.encrypt(b"<xml/>")
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == b"<xml/>"


def test_padding_fills_whole_32_byte_blocks() -> None:
    crypto = MessageCrypto(KEY, APP_ID)
    for size in range(0, 70):
        data = base64.b64decode(crypto.encrypt(b"x" * size))
        assert len(data) % 32 == 0
        assert len(data) - (16 + 4 + size + len(APP_ID)) in range(1, 33)


def test_key_with_non_zero_trailing_bits_is_accepted() -> None:
    # The 43rd digit carries two bits past the 32 bytes; WeChat's sample key (…G) sets
    # them and must work, so keys differing only there are the same key.
    same = MessageCrypto(KEY[:-1] + "E", APP_ID)
    assert same.decrypt(MessageCrypto(KEY, APP_ID).encrypt(b"<xml/>")) == b"<xml/>"


@pytest.mark.parametrize(
    "key", ["", KEY[:-1], KEY + "H", KEY[:-1] + "+", KEY[:-1] + "=", KEY[:-1] + "é", " " + KEY[1:]]
)
def test_malformed_key_is_refused(key: str) -> None:
    with pytest.raises(IllegalAesKeyError) as raised:
        MessageCrypto(key, APP_ID)
    assert raised.value.code == -40004
    assert key not in str(raised.value) or not key  # the secret is never echoed


@pytest.mark.parametrize("encrypt", ["not base64!", "YWJj=ZGVm", "签名", "YQ"])
def test_invalid_base64_is_refused(encrypt: str) -> None:
    with pytest.raises(Base64DecodeError) as raised:
        MessageCrypto(KEY, APP_ID).decrypt(encrypt)
    assert raised.value.code == -40010
    assert isinstance(raised.value, DecryptError)


@pytest.mark.parametrize("size", [0, 15, 16, 48, 33])
def test_ciphertext_not_whole_32_byte_blocks_is_refused(size: int) -> None:
    encrypt = base64.b64encode(b"\x00" * size).decode()
    with pytest.raises(IllegalBufferError) as raised:
        MessageCrypto(KEY, APP_ID).decrypt(encrypt)
    assert raised.value.code == -40008


@pytest.mark.parametrize(
    "pad",
    [b"\x00", b"\x21" * 33, b"\x02\x03", b"\x05\x05\x05\x04\x05", bytes(range(1, 33))],
    ids=["zero", "over-32", "unequal-2", "unequal-5", "ramp"],
)
def test_bad_padding_is_refused(pad: bytes) -> None:
    body = framed(b"<xml/>", APP_ID.encode(), pad=b"")
    plain = body + b"p" * ((-len(body) - len(pad)) % 32) + pad
    with pytest.raises(BadPaddingError) as raised:
        MessageCrypto(KEY, APP_ID).decrypt(raw_encrypt(plain))
    assert raised.value.code == -40007


def test_wrong_key_shows_as_bad_padding_or_bad_frame() -> None:
    encrypt = MessageCrypto(KEY, APP_ID).encrypt(b"<xml/>")
    other = MessageCrypto("0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", APP_ID)
    with pytest.raises(DecryptError):
        other.decrypt(encrypt)


def test_length_prefix_past_the_end_is_refused() -> None:
    plain = framed(b"<xml/>", APP_ID.encode(), length=10_000)
    with pytest.raises(IllegalBufferError, match="length prefix 10000"):
        MessageCrypto(KEY, APP_ID).decrypt(raw_encrypt(plain))


def test_plaintext_too_short_for_its_frame_is_refused() -> None:
    plain = b"r" * 16 + bytes([16]) * 16  # the random prefix, then only padding
    with pytest.raises(IllegalBufferError, match="too short"):
        MessageCrypto(KEY, APP_ID).decrypt(raw_encrypt(plain))


def test_other_app_id_is_refused() -> None:
    encrypt = MessageCrypto(KEY, "wx0000000000000000").encrypt(b"<xml/>")
    with pytest.raises(AppIdMismatchError) as raised:
        MessageCrypto(KEY, APP_ID).decrypt(encrypt)
    assert raised.value.code == -40005


def test_app_id_must_match_exactly_not_as_a_prefix() -> None:
    encrypt = MessageCrypto(KEY, APP_ID + "x").encrypt(b"<xml/>")
    with pytest.raises(AppIdMismatchError):
        MessageCrypto(KEY, APP_ID).decrypt(encrypt)


def test_prefix_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(EncryptError) as raised:
        MessageCrypto(KEY, APP_ID).encrypt(b"<xml/>", random_prefix=b"short")
    assert raised.value.code == -40006


def test_envelope_has_the_documented_layout(
    monkeypatch: pytest.MonkeyPatch, vectors: dict[str, Any]
) -> None:
    v = vectors["encrypt_java_sample"]
    monkeypatch.setattr(
        "wechat.crypto.secrets.token_bytes", lambda size: v["random_prefix"].encode()
    )
    crypto = MessageCrypto(v["encoding_aes_key"], v["app_id"])
    envelope = build_envelope(
        crypto, v["token"], v["plaintext"].encode(), timestamp=v["timestamp"], nonce=v["nonce"]
    )
    signature = sign(v["token"], v["timestamp"], v["nonce"], v["encrypt"])
    assert (
        envelope
        == (
            f"<xml><Encrypt><![CDATA[{v['encrypt']}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{v['timestamp']}</TimeStamp><Nonce><![CDATA[{v['nonce']}]]></Nonce></xml>"
        ).encode()
    )


def test_envelope_round_trips_and_verifies() -> None:
    crypto = MessageCrypto(KEY, APP_ID)
    nonce = new_nonce()
    envelope = build_envelope(
        crypto, "token", b"<xml>reply</xml>", timestamp="1714037059", nonce=nonce
    )
    fields = read_document(envelope, max_bytes=4096)
    encrypt = read_envelope(envelope)
    check_msg_signature("token", "1714037059", nonce, encrypt, str(fields["MsgSignature"]))
    assert crypto.decrypt(encrypt) == b"<xml>reply</xml>"


def test_envelope_refuses_malformed_timestamp_or_nonce() -> None:
    crypto = MessageCrypto(KEY, APP_ID)
    with pytest.raises(TimestampError):
        build_envelope(crypto, "token", b"<xml/>", timestamp="01", nonce="abc")
    with pytest.raises(NonceError):
        build_envelope(crypto, "token", b"<xml/>", timestamp="1714037059", nonce="a-b")


def test_read_envelope_takes_the_encrypt_value(vectors: dict[str, Any]) -> None:
    v = vectors["decrypt_python_sample"]
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{v['encrypt']}]]></Encrypt></xml>"
    ).encode()
    assert read_envelope(body) == v["encrypt"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"<xml><ToUserName>gh</ToUserName></xml>", NotWeChatMessageError),
        (b"<xml><Encrypt></Encrypt></xml>", NotWeChatMessageError),
        (b"<xml><Encrypt><a>b</a></Encrypt></xml>", NotWeChatMessageError),
        (b'<!DOCTYPE xml [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>', HostileXmlError),
    ],
)
def test_read_envelope_refuses_what_is_not_an_envelope(body: bytes, error: type) -> None:
    with pytest.raises(error):
        read_envelope(body)


def test_nonce_is_fresh_and_of_the_accepted_shape() -> None:
    nonces = {new_nonce() for _ in range(100)}
    assert len(nonces) == 100
    for nonce in nonces:
        assert len(nonce) >= 10 and nonce.isalnum() and nonce.isascii()
        check_request_params("1714037059", nonce)
