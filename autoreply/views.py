"""HTTP entry points of the Django stack: thin, delegating to autoreply.webhook."""

import logging
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from autoreply.webhook import health, service

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


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> HttpResponse:
    """Whether this node can take pushes safely (autoreply/webhook/health.py): 200 or 503.
    gunicorn's requests are answered by the fast lane, before Django's host check."""
    status, body = health.report()
    return JsonResponse(body, status=status, headers={"Cache-Control": "no-store"})
