"""HTTP entry points: thin, delegating to autoreply.webhook; errors mapped in one table."""

import logging
import time

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from autoreply import webhook
from autoreply.errors import BodyTooLarge, UnknownAccount
from wechat.errors import (
    AppIdMismatchError,
    DecryptError,
    IllegalAesKeyError,
    ParseXmlError,
    SignatureError,
    WeChatError,
)

logger = logging.getLogger(__name__)

# Most specific first: the first class the error is an instance of decides.
ERROR_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (UnknownAccount, 404),
    (DatabaseError, 503),  # only when nothing is loaded yet: WeChat will retry
    (BodyTooLarge, 413),
    (SignatureError, 403),  # incl. timestamp, nonce, and a push the account's mode refuses
    (AppIdMismatchError, 403),
    (DecryptError, 400),
    (ParseXmlError, 400),
    (IllegalAesKeyError, 500),
    (WeChatError, 400),
)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook_view(request: HttpRequest, slug: str) -> HttpResponse:
    started = time.monotonic()
    try:
        if request.method == "GET":
            answer = webhook.verify_url(slug, request.GET)
        else:
            answer = webhook.receive(
                slug, request.GET, request.read, content_length(request), started
            )
    except (UnknownAccount, BodyTooLarge, WeChatError, DatabaseError) as exc:
        return refusal(slug, exc)
    return HttpResponse(answer.body, content_type=answer.content_type)


def content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META["CONTENT_LENGTH"])
    except (KeyError, ValueError):
        return None


def refusal(slug: str, exc: Exception) -> HttpResponse:
    status = next(code for kind, code in ERROR_STATUS if isinstance(exc, kind))
    logger.warning("webhook %s: %s %s: %s", slug, status, type(exc).__name__, exc)
    return HttpResponse(f"{exc}\n", status=status, content_type="text/plain; charset=utf-8")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        logger.exception("health check: the database does not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
