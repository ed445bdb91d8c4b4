"""Acting as WeChat's servers in tests: signed GETs and POSTs, plain or encrypted.

Uses the `wechat` package's own signing and crypto, which are checked separately
against WeChat's official known-answer vectors.
"""

import itertools
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from tests import wsgi_client
from wechat.crypto import MessageCrypto, read_envelope
from wechat.replies import Reply, parse_reply
from wechat.signature import check_msg_signature, sign
from wechat.xmlwriter import write_xml

TESTS = Path(__file__).resolve().parent
PAYLOADS = TESTS / "payloads"
VECTORS = TESTS / "vectors" / "crypto-vectors.json"


def payload(name: str) -> bytes:
    """A real WeChat payload from tests/payloads."""
    return (PAYLOADS / name).read_bytes()


_ids = itertools.count(int(time.time() * 1000) << 10)


def next_msg_id() -> int:
    return next(_ids)


def inbound(
    msg_type: str = "text",
    *,
    from_user: str = "oFollower1",
    to_user: str = "gh_demo",
    create_time: int | None = None,
    **fields: object,
) -> bytes:
    """An inbound push as WeChat writes it; text messages get a fresh MsgId unless given."""
    document: dict[str, object] = {
        "ToUserName": to_user,
        "FromUserName": from_user,
        "CreateTime": create_time or int(time.time()),
        "MsgType": msg_type,
    }
    if msg_type != "event" and "MsgId" not in fields:
        fields["MsgId"] = next_msg_id()
    document.update(fields)
    return write_xml(document)


def text(content: str, **kwargs: object) -> bytes:
    return inbound("text", Content=content, **kwargs)


def event(name: str, key: str | None = None, **kwargs: object) -> bytes:
    fields: dict[str, object] = {"Event": name}
    if key is not None:
        fields["EventKey"] = key
    return inbound("event", **fields, **kwargs)


def signed_query(
    token: str, *, timestamp: str | None = None, nonce: str | None = None, **extra: str
) -> dict[str, str]:
    """A fresh signed query, as WeChat sends one per push (its retries repeat it, with the
    same body: the webhook refuses one query with two bodies)."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    return {
        "signature": sign(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        **extra,
    }


@dataclass
class WeChatClient:
    """Speaking as WeChat's servers to one account's webhook, through config.wsgi."""

    account: object

    @property
    def url(self) -> str:
        return f"/wechat/{self.account.slug}/"

    def post(self, body: bytes, *, query: dict[str, str] | None = None, url: str | None = None):
        query = query if query is not None else signed_query(self.account.token)
        return wsgi_client.call("POST", url or self.url, query, body)

    def get(self, query: dict[str, str], *, url: str | None = None):
        return wsgi_client.call("GET", url or self.url, query)

    def request(self, method: str, *, url: str | None = None):
        return wsgi_client.call(method, url or self.url, signed_query(self.account.token))

    def post_encrypted(self, body: bytes, *, key: str | None = None, app_id: str | None = None):
        crypto = MessageCrypto(key or self.account.encoding_aes_key, app_id or self.account.app_id)
        encrypt = crypto.encrypt(body)
        query = signed_query(self.account.token, encrypt_type="aes")
        query["msg_signature"] = sign(
            self.account.token, query["timestamp"], query["nonce"], encrypt
        )
        return self.post(write_xml({"ToUserName": "gh_demo", "Encrypt": encrypt}), query=query)

    def decrypt(self, response, *, key: str | None = None) -> bytes:
        """The reply inside an encrypted answer, after checking its own signature."""
        envelope = parse_envelope(response.content)
        check_msg_signature(
            self.account.token,
            envelope["TimeStamp"],
            envelope["Nonce"],
            envelope["Encrypt"],
            envelope["MsgSignature"],
        )
        return MessageCrypto(key or self.account.encoding_aes_key, self.account.app_id).decrypt(
            read_envelope(response.content)
        )

    def ask(self, body: bytes) -> Reply | None:
        """Post a plaintext push and return the parsed reply (None for `success`)."""
        response = self.post(body)
        assert response.status_code == 200, response.content
        if response.content == b"success":
            return None
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        return parse_reply(response.content)

    def say(self, content: str, **kwargs: object) -> Reply | None:
        return self.ask(text(content, **kwargs))


def parse_envelope(body: bytes) -> dict[str, str]:
    from lxml import etree

    root = etree.fromstring(body)
    return {child.tag: child.text for child in root}
