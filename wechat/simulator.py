"""Playing WeChat's servers against a running autoreply: one signed push, its reply decoded.

What `manage.py wechat_send` does (framework-free: any object with an account's
credentials will do), step by step, as WeChat does it: the push is written
with `wechat.xmlwriter`, signed with the account's Token (and in safe mode encrypted with
its EncodingAESKey and AppID, `msg_signature` over the Encrypt value), POSTed, and the
answer is read back the way WeChat reads it (an encrypted answer's MsgSignature checked
before decrypting).
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
"""

import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from wechat import replies
from wechat.crypto import MessageCrypto
from wechat.document import read_document
from wechat.errors import WeChatError
from wechat.pushes import Push, SimulatorError
from wechat.replies import Reply, parse_reply
from wechat.signature import check_msg_signature, sign
from wechat.xmlwriter import write_xml

TIMEOUT = 5.0  # WeChat waits 5 seconds for an answer, then retries
MAX_ANSWER_BYTES = 1_048_576


class Account(Protocol):
    """What the simulator needs of an account: where it is and its credentials."""

    @property
    def slug(self) -> str: ...
    @property
    def token(self) -> str: ...
    @property
    def app_id(self) -> str: ...
    @property
    def encoding_aes_key(self) -> str: ...


@dataclass(frozen=True)
class Exchange:
    """One push and its answer: what was sent, what came back, and the reply inside."""

    url: str
    push: bytes
    """The push's XML before any encryption."""
    body: bytes
    """What was POSTed (the envelope, when encrypted)."""
    status: int
    reason: str
    answer: bytes
    reply_xml: bytes | None
    """The reply's XML (decrypted when encrypted); None for `success` and errors."""
    reply: Reply | None


def send(account: Account, base_url: str, push: Push, *, encrypt: bool) -> Exchange:
    """POST `push` to the account's webhook at `base_url`, signed (and encrypted) like
    WeChat, and read the answer."""
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    query = {
        "signature": sign(account.token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": push.from_user,
    }
    xml = body = push.xml()
    if encrypt:
        ciphertext = _crypto(account).encrypt(xml)
        body = write_xml({"ToUserName": push.to_user, "Encrypt": ciphertext})
        query["encrypt_type"] = "aes"
        query["msg_signature"] = sign(account.token, timestamp, nonce, ciphertext)
    url = f"{base_url.rstrip('/')}/wechat/{account.slug}/?{urlencode(query)}"
    status, reason, answer = _post(url, body)
    reply_xml = None
    if status == 200 and answer.strip() not in (b"", b"success"):  # WeChat reads both as none
        reply_xml = _open(account, answer) if encrypt else answer
    reply = _parse(reply_xml) if reply_xml is not None else None
    return Exchange(url, xml, body, status, reason, answer, reply_xml, reply)


def _crypto(account: Account) -> MessageCrypto:
    if not account.encoding_aes_key:
        raise SimulatorError(
            f"account {account.slug!r} has no EncodingAESKey, so it cannot receive encrypted "
            "pushes; set one in the admin or send without --encrypt"
        )
    return MessageCrypto(account.encoding_aes_key, account.app_id)


def _post(url: str, body: bytes) -> tuple[int, str, bytes]:
    if not url.startswith(("http://", "https://")):
        raise SimulatorError(f"the server's URL must start with http:// or https://: {url!r:.80}")
    # The scheme is checked above, so urllib cannot be steered to file: or ftp:.
    headers = {"Content-Type": "text/xml"}
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return response.status, response.reason, response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as error:
        return error.code, error.reason, error.read(MAX_ANSWER_BYTES)
    except urllib.error.URLError as error:
        raise SimulatorError(_unreachable(url, error.reason)) from None
    except TimeoutError:
        raise SimulatorError(
            f"no answer within {TIMEOUT:.0f} s from {url.split('?')[0]}: WeChat would give up "
            "and retry"
        ) from None


def _unreachable(url: str, reason: object) -> str:
    base = url.split("/wechat/")[0]
    if isinstance(reason, ConnectionRefusedError):
        return f"nothing is listening at {base}: start the server with bin/serve"
    return f"cannot reach {base}: {reason}"


def _open(account: Account, answer: bytes) -> bytes:
    """The reply inside an encrypted answer, its MsgSignature checked first, as WeChat does."""
    try:
        envelope = read_document(answer, max_bytes=MAX_ANSWER_BYTES)
        timestamp, nonce, encrypt, msg_signature = (
            str(envelope.get(tag, "")) for tag in ("TimeStamp", "Nonce", "Encrypt", "MsgSignature")
        )
        check_msg_signature(account.token, timestamp, nonce, encrypt, msg_signature)
        return _crypto(account).decrypt(encrypt)
    except WeChatError as exc:
        raise SimulatorError(f"the encrypted answer does not open: {exc}") from None


def _parse(xml: bytes) -> Reply:
    try:
        return parse_reply(xml)
    except WeChatError as exc:
        raise SimulatorError(f"the answer is not a passive reply WeChat accepts: {exc}") from None


def describe(exchange: Exchange) -> list[str]:
    """The answer as a person reads it: status, then the reply's kind and values."""
    head = f"{exchange.status} {exchange.reason}"
    if exchange.status != 200:
        return [head, exchange.answer.decode("utf-8", "replace")]
    if exchange.reply is None:
        return [f"{head} — success (no reply)"]
    kind = replies.kind_of(exchange.reply)
    heading = kind.heading or f"{kind.name} reply"
    if isinstance(exchange.reply, replies.NewsReply):
        articles = exchange.reply.articles
        return [f"{head} — {heading}, {len(articles)} article(s):", *_articles(articles)]
    return [f"{head} — {heading}:", *_values(exchange.reply, kind)]


def _values(reply: Reply, kind: replies.ReplyKind) -> list[str]:
    """Each value by its XML tag; a reply without a group (text) is its value alone."""
    values = [(field.tag, getattr(reply, field.name)) for field in kind.fields]
    if not kind.group:
        return [value for _, value in values]
    lines = [f"  {tag}: {value}" for tag, value in values if value]
    return lines or ([f"  {kind.blank}"] if kind.blank else [])


def _articles(articles: tuple[replies.Article, ...]) -> list[str]:
    lines = []
    for number, article in enumerate(articles, start=1):
        lines.append(f"  {number}. {article.title}")
        lines.extend(f"     {value}" for value in (article.description, article.url) if value)
        if article.pic_url:
            lines.append(f"     picture: {article.pic_url}")
    return lines
