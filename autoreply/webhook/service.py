"""The webhook as a service: verify -> decrypt -> parse -> record -> match -> render.

Knows nothing of Django's request objects: both entry points (the Django view, and the
WSGI fast lane in autoreply/webhook/lane.py) hand it the parts of the call and send back the
`Answer` it returns. Refusals are mapped to HTTP statuses here, in one table.
"""

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import DatabaseError

from autoreply.conf import setting
from autoreply.errors import BadRequest, BodyTooLarge, UnknownAccount
from autoreply.webhook import replays, responder, wire
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
from wechat.signature import query_parameters

logger = logging.getLogger(__name__)

XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

# Most specific first: the first class the error is an instance of decides. The body
# is the error's own message, which says what was wrong with the request, unless the
# fault is ours: then a fixed text, and the details only in the log.
REFUSALS: tuple[tuple[type[Exception], int, str | None], ...] = (
    (UnknownAccount, 404, None),
    (BodyTooLarge, 413, None),
    # incl. timestamp, nonce, a repeated parameter, a reused query, a mode refusing the push
    (SignatureError, 403, None),
    (AppIdMismatchError, 403, None),
    (DecryptError, 400, None),
    (ParseXmlError, 400, None),
    (IllegalAesKeyError, 500, "this account's encryption is misconfigured"),
    (WeChatError, 400, None),
    # only when nothing is loaded yet: WeChat will retry
    (DatabaseError, 503, "the service is unavailable for a moment; WeChat will retry"),
)
REFUSED = tuple(kind for kind, _, _ in REFUSALS)


@dataclass(frozen=True)
class Answer:
    body: bytes = b"success"
    content_type: str = TEXT
    status: int = 200


SUCCESS = Answer()


def handle(
    method: str,
    slug: str,
    query: Iterable[tuple[str, str]],
    read: Callable[[int], bytes],
    content_length: int | None,
    started: float,
) -> Answer:
    """One call to /wechat/<slug>/: GET is WeChat's URL check, POST a push.

    `query` is every (name, value) pair of the query string, repeats included, so that
    an authentication parameter given twice is refused rather than one copy chosen.
    """
    try:
        if method == "GET":
            return verify_url(slug, query_parameters(query))
        if method == "POST":
            return receive(slug, query_parameters(query), read, content_length, started)
        return Answer(b"GET or POST only\n", TEXT, 405)
    except REFUSED as exc:
        return refusal(slug, exc)


def refusal(slug: str, exc: Exception) -> Answer:
    """The answer to a refused call: its status, and a body that says what was wrong."""
    status, text = next((code, text) for kind, code, text in REFUSALS if isinstance(exc, kind))
    logger.warning("webhook %s: %s %s: %s", slug, status, type(exc).__name__, exc)
    return Answer(f"{text or exc}\n".encode(), TEXT, status)


def content_length(meta: Mapping[str, str]) -> int | None:
    """The declared CONTENT_LENGTH of a WSGI environ or Django's META, if it is a number."""
    try:
        return int(meta["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None


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
    binding = replays.Binding.of(site.version.id, params, body)
    try:
        opened = wire.open_body(site, params, body)
        message = parse_message(opened.xml)
    except WeChatError:
        binding.bind()  # a refused body still binds its query: nothing else may follow
        raise
    if message.to_user != site.original_id:
        registry.learn_original_id(site, message.to_user)
    reply = responder.respond(site, message, opened.xml, clock, binding)
    replays.prune_now_and_then()
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
