"""HTTP entry points of the Django stack: thin, delegating to autoreply.webhook."""

import logging
import time

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from autoreply.webhook import service

logger = logging.getLogger(__name__)


@csrf_exempt
def webhook_view(request: HttpRequest, slug: str) -> HttpResponse:
    """/wechat/<slug>/ when served through Django (tests, runserver); gunicorn's requests
    take the fast lane in autoreply/webhook/lane.py to the same service."""
    answer = service.handle(
        request.method or "",
        slug,
        ((name, value) for name, values in request.GET.lists() for value in values),
        request.read,
        service.content_length(request.META),
        time.monotonic(),
    )
    return HttpResponse(answer.body, content_type=answer.content_type, status=answer.status)


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
