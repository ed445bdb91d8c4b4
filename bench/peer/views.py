"""The peers' views: check the signature, parse with wechatpy, store, answer.

`webhook` stores with the ORM (`Model.objects.create`), as a quick integration would;
`lean_webhook` is what a careful hand-written peer does: one raw prepared-style
`INSERT ... ON CONFLICT DO NOTHING` on the persistent connection, retries dropped by the
database.
"""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from wechatpy import create_reply, parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bench.peer.models import PeerMessage

ANSWER = "收到，客服稍后回复您。"
LEAN_INSERT = """
INSERT INTO peer_peerleanmessage
    (msg_id, from_user, to_user, msg_type, content, create_time, raw_xml, received_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (from_user, msg_id) DO NOTHING
"""


def _signed(request) -> bool:  # type: ignore[no-untyped-def]
    params = request.GET
    try:
        check_signature(
            settings.WECHAT_TOKEN,
            params.get("signature", ""),
            params.get("timestamp", ""),
            params.get("nonce", ""),
        )
    except InvalidSignatureException:
        return False
    return True


@csrf_exempt
def webhook(request, slug):  # type: ignore[no-untyped-def]
    if not _signed(request):
        return HttpResponseForbidden()
    message = parse_message(request.body)
    PeerMessage.objects.create(
        msg_id=message.id,
        from_user=message.source,
        to_user=message.target,
        msg_type=message.type,
        content=getattr(message, "content", ""),
        create_time=message.create_time,
        raw_xml=request.body.decode(),
    )
    return HttpResponse(create_reply(ANSWER, message).render(), content_type="application/xml")


@csrf_exempt
def lean_webhook(request, slug):  # type: ignore[no-untyped-def]
    if not _signed(request):
        return HttpResponseForbidden()
    message = parse_message(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            LEAN_INSERT,
            [
                message.id,
                message.source,
                message.target,
                message.type,
                getattr(message, "content", ""),
                message.create_time,
                request.body.decode(),
            ],
        )
    return HttpResponse(create_reply(ANSWER, message).render(), content_type="application/xml")
