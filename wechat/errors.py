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
