"""WeChat's message encryption for safe mode: AES-256-CBC with its own framing and padding.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
Plaintext = 16 random bytes | 4-byte big-endian length | xml | AppID, PKCS#7-padded to
32-byte blocks; key = base64(EncodingAESKey + "="), IV = key[:16].
"""

import base64
import binascii
import functools
import re
import secrets
import struct
from typing import Any

from wechat.document import read_document
from wechat.errors import (
    AppIdMismatchError,
    BadPaddingError,
    Base64DecodeError,
    EncryptError,
    IllegalAesKeyError,
    IllegalBufferError,
    NotWeChatMessageError,
)
from wechat.signature import check_request_params, sign
from wechat.xmlwriter import write_xml

BLOCK = 32  # WeChat pads to 32 bytes, twice AES's block size; 16-byte padding is refused.
PREFIX = 16
MAX_ENVELOPE_BYTES = 1_048_576
_KEY = re.compile(r"[A-Za-z0-9]{43}")
_LENGTH = struct.Struct(">I")


class MessageCrypto:
    """Encrypts replies and decrypts pushes for one Official Account (EncodingAESKey + AppID)."""

    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        if not (isinstance(encoding_aes_key, str) and _KEY.fullmatch(encoding_aes_key)):
            size = len(encoding_aes_key) if isinstance(encoding_aes_key, str) else 0
            raise IllegalAesKeyError(
                "the EncodingAESKey must be the 43 ASCII letters and digits shown in WeChat's "
                f"console; the one configured has {size} characters"  # never the key itself
            )
        # Always 32 bytes: 43 base64 digits carry 258 bits and b64decode drops the extra 2
        # (WeChat's own sample key has them set, so they must not be refused).
        self._key = base64.b64decode(encoding_aes_key + "=")
        self._app_id = app_id.encode()

    @functools.cached_property
    def _cipher(self) -> Any:
        # Imported on first use: `cryptography` is 6-8 MB of every worker's memory, and
        # an account in plain mode (明文模式) never needs it.
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, xml: bytes, *, random_prefix: bytes | None = None) -> str:
        """Encrypt a reply's XML into the base64 Encrypt value; the prefix is random by default."""
        prefix = secrets.token_bytes(PREFIX) if random_prefix is None else random_prefix
        if len(prefix) != PREFIX or len(xml) >= 2**32:
            raise EncryptError(
                f"cannot frame a {len(xml)}-byte body with a {len(prefix)}-byte prefix"
            )
        plain = b"".join((prefix, _LENGTH.pack(len(xml)), xml, self._app_id))
        pad = BLOCK - len(plain) % BLOCK
        encryptor = self._cipher.encryptor()
        data = encryptor.update(plain + bytes((pad,)) * pad) + encryptor.finalize()
        return base64.b64encode(data).decode("ascii")

    def decrypt(self, encrypt: str) -> bytes:
        """Decrypt an Encrypt value and return the XML, checking padding, length and AppID."""
        data = _b64decode(encrypt)
        if not data or len(data) % BLOCK:
            raise IllegalBufferError(
                f"ciphertext of {len(data)} bytes is not a non-empty multiple of {BLOCK}"
            )
        decryptor = self._cipher.decryptor()
        plain = _unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < PREFIX + _LENGTH.size:
            raise IllegalBufferError(f"plaintext of {len(plain)} bytes is too short to be framed")
        (length,) = _LENGTH.unpack_from(plain, PREFIX)
        start = PREFIX + _LENGTH.size
        if start + length > len(plain):
            raise IllegalBufferError(f"length prefix {length} runs past the decrypted data")
        if plain[start + length :] != self._app_id:
            raise AppIdMismatchError(
                "the message was encrypted for another AppID: check the AppID setting"
            )
        return plain[start : start + length]


def _b64decode(encrypt: str) -> bytes:
    try:
        return base64.b64decode(encrypt, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise Base64DecodeError("the Encrypt value is not valid base64") from None


def _unpad(plain: bytes) -> bytes:
    # Checked strictly: a wrong key or tampered data shows up here first, and trusting
    # the last byte alone would silently cut a message short.
    pad = plain[-1]
    if not 1 <= pad <= BLOCK or plain[-pad:] != bytes((pad,)) * pad:
        raise BadPaddingError("the decrypted padding is invalid: wrong EncodingAESKey or tampering")
    return plain[:-pad]


def new_nonce() -> str:
    """A fresh random nonce for an encrypted reply: 16 hex digits from `secrets`."""
    return secrets.token_hex(8)


def build_envelope(
    crypto: MessageCrypto, token: str, xml: bytes, *, timestamp: str, nonce: str
) -> bytes:
    """Wrap a rendered reply in the encrypted envelope WeChat expects in safe mode."""
    check_request_params(timestamp, nonce)  # so TimeStamp can be written as the number it is
    encrypt = crypto.encrypt(xml)
    return write_xml(
        {
            "Encrypt": encrypt,
            "MsgSignature": sign(token, timestamp, nonce, encrypt),
            "TimeStamp": int(timestamp),
            "Nonce": nonce,
        }
    )


def read_envelope(body: bytes) -> str:
    """The Encrypt value of an encrypted push (`<xml><ToUserName/><Encrypt/></xml>`)."""
    encrypt = read_document(body, max_bytes=MAX_ENVELOPE_BYTES).get("Encrypt")
    if isinstance(encrypt, str) and encrypt:
        return encrypt
    raise NotWeChatMessageError("the encrypted push has no <Encrypt> text")
