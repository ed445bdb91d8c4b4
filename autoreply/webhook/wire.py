"""One account's side of the protocol: authenticate a call, open its body, seal the answer.

Order matters: the URL signature and timestamp are checked before anything else, and
an encrypted body's msg_signature before any decryption. In compatible mode only the
decrypted copy is used; the plaintext fields beside it are not authenticated.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass

from autoreply.choices import EncryptionMode
from autoreply.conf import setting
from autoreply.errors import PushRefused
from autoreply.webhook.registry import Site
from wechat import crypto, signature
from wechat.crypto import MessageCrypto
from wechat.errors import AppIdMismatchError, DecryptError

PLAIN_MARKERS = ("", "raw")  # encrypt_type values of a plaintext push


@dataclass(frozen=True)
class Opened:
    """The authenticated XML of a push, and the key that opened it (None: plaintext)."""

    xml: bytes
    crypto: MessageCrypto | None


def authenticate(site: Site, params: Mapping[str, str], now: float) -> None:
    """Check timestamp, nonce and the URL signature; raises SignatureError and kin."""
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    signature.check_request_params(timestamp, nonce)
    signature.check_timestamp(timestamp, now=now, tolerance=setting("WECHAT_TIMESTAMP_TOLERANCE"))
    signature.check_signature(site.token, timestamp, nonce, params.get("signature", ""))


def open_body(site: Site, params: Mapping[str, str], body: bytes) -> Opened:
    encrypt_type = params.get("encrypt_type", "")
    if encrypt_type in PLAIN_MARKERS:
        if site.encryption_mode == EncryptionMode.SAFE:
            raise PushRefused("this account is in safe mode and refuses plaintext pushes")
        return Opened(body, None)
    if encrypt_type != "aes":
        raise PushRefused(f"unknown encrypt_type {encrypt_type[:20]!r}")
    if site.encryption_mode == EncryptionMode.PLAIN or not site.cryptos:
        raise PushRefused(
            "this account is in plain mode; set compatible or safe mode to accept encrypted pushes"
        )
    encrypt = crypto.read_envelope(body)
    signature.check_msg_signature(
        site.token, params["timestamp"], params["nonce"], encrypt, params.get("msg_signature", "")
    )
    return _decrypt(site.cryptos, encrypt)


def _decrypt(cryptos: tuple[MessageCrypto, ...], encrypt: str) -> Opened:
    """The current key, then the previous one, as WeChat advises while a key changes."""
    failures: list[DecryptError | AppIdMismatchError] = []
    for key in cryptos:
        try:
            return Opened(key.decrypt(encrypt), key)
        except (DecryptError, AppIdMismatchError) as exc:
            failures.append(exc)
    raise failures[0]  # the current key's reason


def seal(site: Site, opened: Opened, xml: bytes) -> bytes:
    """The answer as sent: encrypted (fresh nonce) when the push was."""
    if opened.crypto is None:
        return xml
    return crypto.build_envelope(
        opened.crypto, site.token, xml, timestamp=str(int(time.time())), nonce=crypto.new_nonce()
    )
