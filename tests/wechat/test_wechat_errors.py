"""The error hierarchy: WeChat's official codes, and messages a person can act on."""

import pytest

from wechat import errors
from wechat.errors import (
    AppIdMismatchError,
    BadPaddingError,
    Base64DecodeError,
    DecryptError,
    EncryptError,
    FieldShapeError,
    HostileXmlError,
    IllegalAesKeyError,
    IllegalBufferError,
    NonceError,
    NotWeChatMessageError,
    ParseXmlError,
    RepeatedParameterError,
    ReplyError,
    SignatureError,
    TimestampError,
    WeChatError,
)

CODES = {
    SignatureError: -40001,
    TimestampError: -40001,
    NonceError: -40001,
    RepeatedParameterError: -40001,
    ParseXmlError: -40002,
    HostileXmlError: -40002,
    NotWeChatMessageError: -40002,
    FieldShapeError: -40002,
    IllegalAesKeyError: -40004,
    AppIdMismatchError: -40005,
    EncryptError: -40006,
    DecryptError: -40007,
    BadPaddingError: -40007,
    IllegalBufferError: -40008,
    Base64DecodeError: -40010,
    ReplyError: -40011,
}
PARENTS = {
    TimestampError: SignatureError,
    NonceError: SignatureError,
    RepeatedParameterError: SignatureError,
    HostileXmlError: ParseXmlError,
    NotWeChatMessageError: ParseXmlError,
    FieldShapeError: NotWeChatMessageError,
    BadPaddingError: DecryptError,
    IllegalBufferError: DecryptError,
    Base64DecodeError: DecryptError,
}


def test_every_error_class_is_listed() -> None:
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, WeChatError) and value is not WeChatError
    }
    assert defined == set(CODES)


@pytest.mark.parametrize(("error", "code"), CODES.items(), ids=lambda v: getattr(v, "__name__", v))
def test_error_carries_wechat_code(error: type[WeChatError], code: int) -> None:
    assert error.code == code
    assert error("x").code == code


@pytest.mark.parametrize(("error", "parent"), PARENTS.items(), ids=lambda v: v.__name__)
def test_specific_errors_are_caught_by_their_family(
    error: type[WeChatError], parent: type[WeChatError]
) -> None:
    assert issubclass(error, parent)
    assert not issubclass(error, (ValueError, KeyError))  # nothing generic leaks out


def test_message_reads_as_words_with_the_code() -> None:
    error = AppIdMismatchError("the message was encrypted for another AppID")
    assert error.message == "the message was encrypted for another AppID"
    assert str(error) == "the message was encrypted for another AppID (WeChat error -40005)"
