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


# The outbound API's errors (wechat/api.py): the class's code is the errcode it stands for.
API_CODES = {
    errors.ApiError: 0,
    errors.ApiTransportError: -2,
    errors.SystemBusyError: -1,
    errors.InvalidTokenError: 40001,
    errors.NotFollowingError: 40003,
    errors.ReplyWindowClosedError: 45015,
    errors.TooManyMessagesError: 45047,
    errors.NoPermissionError: 48001,
    errors.UnsendableReplyError: -40011,
}


@pytest.mark.parametrize(("error", "code"), API_CODES.items(), ids=lambda v: str(v))
def test_api_errors_carry_their_errcode(error: type[WeChatError], code: int) -> None:
    assert error.code == code
    if issubclass(error, errors.ApiError) and error is not errors.ApiTransportError:
        made = errors.api_error(code, "errmsg from WeChat", "POST /cgi-bin/x")
        assert type(made) is error and made.code == code
        assert str(made) == f"POST /cgi-bin/x: errmsg from WeChat (WeChat error {code})"


def test_every_error_class_is_listed() -> None:
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, WeChatError) and value is not WeChatError
    }
    assert defined == set(CODES) | set(API_CODES)


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
