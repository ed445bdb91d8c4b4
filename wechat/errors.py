"""Typed errors for the WeChat wire protocol, each carrying WeChat's official code.

The codes are those of the official message-crypto samples (WXBizMsgCrypt):
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
The webhook maps these types to HTTP answers in one place; nothing here knows HTTP.
"""


class WeChatError(Exception):
    """Base of every failure raised by `wechat`; `code` is WeChat's official error code."""

    code: int = -40000

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} (WeChat error {self.code})"


class SignatureError(WeChatError):
    """The signature or msg_signature is missing or does not match (ValidateSignatureError)."""

    code = -40001


class TimestampError(SignatureError):
    """The timestamp is malformed or outside the accepted window around the server clock."""


class NonceError(SignatureError):
    """The nonce is not 1 to 64 ASCII letters or digits."""


class RepeatedParameterError(SignatureError):
    """An authentication parameter appears twice in the query.

    Which copy counts would depend on who reads it (a proxy or WAF may read the first,
    we the last), so a signature could be checked on one value and another acted on.
    """


class ParseXmlError(WeChatError):
    """The body is not well-formed XML, or not in a decodable encoding (ParseXmlError)."""

    code = -40002


class HostileXmlError(ParseXmlError):
    """XML using what WeChat never sends but attacks do: DTD, entities, namespaces, depth, size."""


class NotWeChatMessageError(ParseXmlError):
    """Well-formed XML that is not a WeChat push: wrong root, missing or mistyped fields."""


class FieldShapeError(NotWeChatMessageError):
    """A field is out of the shape WeChat always gives it: an OpenID of 65 characters, a
    20-digit CreateTime, an endless number. Refused before anything is stored, so what
    the database cannot hold never gets as far as the database."""


class IllegalAesKeyError(WeChatError):
    """The EncodingAESKey is not 43 ASCII letters or digits (IllegalAesKey)."""

    code = -40004


class AppIdMismatchError(WeChatError):
    """The decrypted message names another AppID than ours (ValidateAppidError)."""

    code = -40005


class EncryptError(WeChatError):
    """The reply could not be encrypted (EncryptAESError)."""

    code = -40006


class DecryptError(WeChatError):
    """The Encrypt value could not be decrypted (DecryptAESError)."""

    code = -40007


class BadPaddingError(DecryptError):
    """The decrypted PKCS#7 padding is not 1 to 32 equal bytes: wrong key or tampered data."""


class IllegalBufferError(DecryptError):
    """The ciphertext or plaintext has an impossible length (IllegalBuffer)."""

    code = -40008


class Base64DecodeError(DecryptError):
    """The Encrypt value is not valid base64 (DecodeBase64Error)."""

    code = -40010


class ReplyError(WeChatError):
    """A passive reply cannot be rendered or read back as WeChat expects (GenReturnXmlError)."""

    code = -40011


# --- The outbound API (wechat/api.py) -------------------------------------------------
# WeChat's global return codes:
# https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html


class ApiError(WeChatError):
    """WeChat's API answered with an errcode; `code` and `errmsg` are WeChat's own."""

    code = 0  # each instance carries the errcode WeChat answered
    retryable = False  # worth sending again later, unchanged
    token_problem = False  # the access token is stale: refresh it once and retry once

    def __init__(self, code: int, errmsg: str, call: str = "") -> None:
        super().__init__(f"{call + ': ' if call else ''}{errmsg or 'no errmsg'}")
        self.code = code
        self.errmsg = errmsg


class ApiTransportError(ApiError):
    """No usable answer at all: connection refused or reset, a timeout, an HTTP error, not JSON."""

    code = -2  # ours, not WeChat's: there was no errcode to carry
    retryable = True

    def __init__(self, message: str) -> None:
        super().__init__(self.code, message)


class SystemBusyError(ApiError):
    """-1: 系统繁忙, WeChat asks to try again later."""

    code = -1

    retryable = True


class InvalidTokenError(ApiError):
    """40001 (invalid credential), 40014 (invalid access_token), 42001 (access_token expired)."""

    code = 40001

    token_problem = True


class NotFollowingError(ApiError):
    """40003: the OpenID is not a follower of this account."""

    code = 40003


class ReplyWindowClosedError(ApiError):
    """45015: the follower has not written for 48 h; customer-service messages are refused."""

    code = 45015


class TooManyMessagesError(ApiError):
    """45047: over the limit of customer-service messages to one follower in a row."""

    code = 45047


class NoPermissionError(ApiError):
    """48001: the account has no permission for this API (unverified, or the wrong kind)."""

    code = 48001


class UnsendableReplyError(ReplyError):
    """A reply type that has no customer-service form (a transfer, news with many articles)."""


API_ERRORS: dict[int, type[ApiError]] = {
    -1: SystemBusyError,
    40001: InvalidTokenError,
    40014: InvalidTokenError,
    42001: InvalidTokenError,
    40003: NotFollowingError,
    45015: ReplyWindowClosedError,
    45047: TooManyMessagesError,
    48001: NoPermissionError,
}


def api_error(code: int, errmsg: str, call: str = "") -> ApiError:
    """The typed error for WeChat's errcode (ApiError itself for codes not named here)."""
    return API_ERRORS.get(code, ApiError)(code, errmsg, call)
