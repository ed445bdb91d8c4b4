"""The webhook as a service: verify -> decrypt -> parse -> record -> match -> render.

Knows nothing of Django's request objects: both entry points (the Django view, and the
WSGI fast lane in autoreply/webhook/lane.py) hand it the parts of the call and send back the
`Answer` it returns. Refusals are mapped to HTTP statuses here, in one table.
"""

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import DatabaseError

from autoreply.conf import setting
from autoreply.errors import BadRequest, BodyTooLarge, UnknownAccount
from autoreply.webhook import responder, wire
from autoreply.webhook.registry import registry
from wechat.errors import (
    AppIdMismatchError,
    DecryptError,
    IllegalAesKeyError,
    ParseXmlError,
    SignatureError,
    WeChatError,
)
from wechat.messages import parse_message

logger = logging.getLogger(__name__)

XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

# Most specific first: the first class the error is an instance of decides.
REFUSALS: tuple[tuple[type[Exception], int], ...] = (
    (UnknownAccount, 404),
    (BodyTooLarge, 413),
    (SignatureError, 403),  # incl. timestamp, nonce, and a push the account's mode refuses
    (AppIdMismatchError, 403),
    (DecryptError, 400),
    (ParseXmlError, 400),
    (IllegalAesKeyError, 500),
    (WeChatError, 400),
    (DatabaseError, 503),  # only when nothing is loaded yet: WeChat will retry
)
REFUSED = tuple(kind for kind, _ in REFUSALS)


@dataclass(frozen=True)
class Answer:
    body: bytes = b"success"
    content_type: str = TEXT
    status: int = 200


SUCCESS = Answer()


def handle(
    method: str,
    slug: str,
    params: Mapping[str, str],
    read: Callable[[int], bytes],
    content_length: int | None,
    started: float,
) -> Answer:
    """One call to /wechat/<slug>/: GET is WeChat's URL check, POST a push."""
    try:
        if method == "GET":
            return verify_url(slug, params)
        if method == "POST":
            return receive(slug, params, read, content_length, started)
        return Answer(b"GET or POST only\n", TEXT, 405)
    except REFUSED as exc:
        status = next(code for kind, code in REFUSALS if isinstance(exc, kind))
        logger.warning("webhook %s: %s %s: %s", slug, status, type(exc).__name__, exc)
        return Answer(f"{exc}\n".encode(), TEXT, status)


def verify_url(slug: str, params: Mapping[str, str]) -> Answer:
    """WeChat's URL check (GET): echo `echostr` when the signature holds."""
    wire.authenticate(registry.site(slug), params, time.time())
    echostr = params.get("echostr")
    if echostr is None:
        raise BadRequest("the URL check carries no echostr")
    return Answer(echostr.encode())


def receive(
    slug: str,
    params: Mapping[str, str],
    read: Callable[[int], bytes],
    content_length: int | None,
    started: float,
) -> Answer:
    """A push (POST): the reply to send, or `success`."""
    clock = responder.Clock.start(started)
    site = registry.site(slug)
    body = read_limited(read, content_length)
    wire.authenticate(site, params, time.time())
    opened = wire.open_body(site, params, body)
    message = parse_message(opened.xml)
    if message.to_user != site.original_id:
        registry.learn_original_id(site, message.to_user)
    reply = responder.respond(site, message, opened.xml, clock)
    if reply is None:
        return SUCCESS
    return Answer(wire.seal(site, opened, reply), XML)


def read_limited(read: Callable[[int], bytes], content_length: int | None) -> bytes:
    """The body, refusing more than WECHAT_MAX_BODY_BYTES before and while reading it."""
    limit = setting("WECHAT_MAX_BODY_BYTES")
    if content_length is not None and content_length > limit:
        raise BodyTooLarge(f"the body is {content_length} bytes; the limit is {limit}")
    body = read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge(f"the body is over the limit of {limit} bytes")
    return body
