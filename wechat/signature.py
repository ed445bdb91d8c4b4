"""WeChat's SHA-1 request signatures: the URL `signature` and the encrypted-mode `msg_signature`.

https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
"""

import hashlib
import hmac
import re
from collections.abc import Iterable

from wechat.errors import NonceError, RepeatedParameterError, SignatureError, TimestampError

# The scheme joins the sorted parts with no separator, so "1714037059" + "48" and
# "171403705" + "948" sign alike. Pinning each part's shape removes that freedom.
_TIMESTAMP = re.compile(r"[0-9]{10}")
_NONCE = re.compile(r"[A-Za-z0-9]{1,64}")
AUTH_PARAMETERS = frozenset(
    {"signature", "timestamp", "nonce", "msg_signature", "encrypt_type", "echostr"}
)
"""The query parameters that authenticate a call, or decide how it is authenticated."""


def sign(*parts: str) -> str:
    """Return WeChat's signature: sha1 hex of the parts sorted and joined with no separator."""
    # SHA-1 is WeChat's choice, not ours: the signature must match what WeChat computes.
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324


def _matches(expected: str, given: str) -> bool:
    # compare_digest on str refuses non-ASCII, so compare bytes: a forged value
    # must fail as a mismatch, not crash with TypeError.
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def check_signature(token: str, timestamp: str, nonce: str, signature: str) -> None:
    """Check the URL `signature` WeChat adds to every webhook call, in constant time."""
    if not signature:
        raise SignatureError("the request carries no signature parameter")
    if not _matches(sign(token, timestamp, nonce), signature):
        raise SignatureError("the signature does not match: check the Token configured in WeChat")


def check_msg_signature(
    token: str, timestamp: str, nonce: str, encrypt: str, msg_signature: str
) -> None:
    """Check the `msg_signature` that covers the Encrypt value of an encrypted push."""
    if not msg_signature:
        raise SignatureError("the encrypted request carries no msg_signature parameter")
    if not _matches(sign(token, timestamp, nonce, encrypt), msg_signature):
        raise SignatureError("the msg_signature does not match: tampered body or wrong Token")


def check_request_params(timestamp: str, nonce: str) -> None:
    """Accept only the shapes WeChat sends: a 10-digit timestamp and a short alphanumeric nonce."""
    if not _TIMESTAMP.fullmatch(timestamp):
        raise TimestampError(f"timestamp {timestamp[:32]!r} is not 10 ASCII digits")
    if not _NONCE.fullmatch(nonce):
        raise NonceError(f"nonce {nonce[:80]!r} is not 1 to 64 ASCII letters or digits")


def check_timestamp(timestamp: str, *, now: float, tolerance: int) -> int:
    """Return the timestamp as an int, refusing one more than `tolerance` seconds from `now`.

    A tolerance of 0 disables the window; a negative one refuses everything (fails closed).
    """
    # The length cap keeps int() far from Python's digit limit on hostile input.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 20):
        raise TimestampError(f"timestamp {timestamp[:32]!r} is not a whole number of seconds")
    value = int(timestamp)
    if tolerance != 0 and abs(now - value) > tolerance:
        raise TimestampError(
            f"timestamp {value} is {abs(now - value):.0f} s away from the server clock "
            f"(allowed: {tolerance} s); check the server's clock or suspect a replay"
        )
    return value


def query_parameters(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The query as a dict, refusing an authentication parameter given more than once.

    WeChat sends each once; a second copy can only be meant to make a proxy and us read
    different values (the signature checked on one, another acted on).
    """
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params and name in AUTH_PARAMETERS:
            raise RepeatedParameterError(f"the query gives {name} more than once")
        params[name] = value
    return params
