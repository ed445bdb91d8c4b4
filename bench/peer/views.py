"""The peer's one view: check the signature, parse with wechatpy, store, answer."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from wechatpy import create_reply, parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bench.peer.models import PeerMessage

ANSWER = "收到，客服稍后回复您。"


@csrf_exempt
def webhook(request, slug):
    params = request.GET
    try:
        check_signature(settings.WECHAT_TOKEN, params.get("signature", ""),
                        params.get("timestamp", ""), params.get("nonce", ""))  # fmt: skip
    except InvalidSignatureException:
        return HttpResponseForbidden()
    message = parse_message(request.body)
    PeerMessage.objects.create(
        msg_id=message.id, from_user=message.source, to_user=message.target,
        msg_type=message.type, content=getattr(message, "content", ""),
        create_time=message.create_time, raw_xml=request.body.decode(),
    )  # fmt: skip
    return HttpResponse(create_reply(ANSWER, message).render(), content_type="application/xml")
