"""WeChat's outbound HTTP API: access tokens, customer-service messages, materials and
the platform's own auto-reply settings. Plain data in, plain data out; no Django.

https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Adding_Permanent_Assets.html
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Getting_Rules_for_Auto_Replies.html
"""

import json
from dataclasses import dataclass
from typing import Any

from wechat import replies
from wechat.errors import ApiError, ApiTransportError, UnsendableReplyError, api_error

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
# WeChat answers in well under a second; a call that takes longer is better retried later.
TIMEOUT_SECONDS, CONNECT_SECONDS = 10.0, 3.0
MATERIAL_TYPES = ("image", "voice", "video", "thumb")


@dataclass(frozen=True, slots=True)
class Token:
    access_token: str
    expires_in: int  # seconds from when WeChat answered


@dataclass(frozen=True, slots=True)
class Material:
    media_id: str
    url: str = ""  # WeChat gives one for images and thumbs only


class Client:
    """One account-independent connection pool to WeChat's API; safe to share by threads."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL):
        # Imported here: httpx costs every web worker 15 MB, and only a worker or an
        # operator's upload calls WeChat.
        import httpx

        timeout = httpx.Timeout(TIMEOUT_SECONDS, connect=CONNECT_SECONDS)
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._transport_error = httpx.HTTPError

    def close(self) -> None:
        self._http.close()

    def stable_token(self, app_id: str, secret: str, *, force_refresh: bool = False) -> Token:
        """A fresh or still-valid access token (the stable one: fetching it never voids others)."""
        body = {
            "grant_type": "client_credential",
            "appid": app_id,
            "secret": secret,
            "force_refresh": force_refresh,
        }
        answer = self._call("POST", "/cgi-bin/stable_token", json=body)
        return Token(str(answer["access_token"]), int(answer.get("expires_in", 7200)))

    def send(self, access_token: str, touser: str, reply: replies.Reply) -> None:
        """Send `reply` to `touser` as a customer-service message."""
        self.send_json(access_token, custom_message(touser, reply))

    def send_json(self, access_token: str, payload: dict[str, Any]) -> None:
        """Send an already-built customer-service message (what `custom_message` returns)."""
        params = {"access_token": access_token}
        # ensure_ascii off: WeChat shows \\uXXXX escapes literally in some clients.
        content = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        self._call(
            "POST", "/cgi-bin/message/custom/send", params=params, content=content, headers=headers
        )

    def add_material(
        self,
        access_token: str,
        kind: str,
        filename: str,
        data: bytes,
        *,
        title: str = "",
        introduction: str = "",
    ) -> Material:
        """Upload permanent material; a video also needs its title and introduction."""
        if kind not in MATERIAL_TYPES:
            raise ValueError(f"material type {kind!r} is not one of {', '.join(MATERIAL_TYPES)}")
        form: dict[str, str] = {}
        if kind == "video":
            description = {"title": title, "introduction": introduction}
            form["description"] = json.dumps(description, ensure_ascii=False)
        answer = self._call(
            "POST",
            "/cgi-bin/material/add_material",
            params={"access_token": access_token, "type": kind},
            files={"media": (filename, data)},
            data=form,
        )
        return Material(str(answer["media_id"]), str(answer.get("url", "")))

    def autoreply_info(self, access_token: str) -> dict[str, Any]:
        """The platform's current auto-reply settings, as WeChat returns them."""
        params = {"access_token": access_token}
        return self._call("GET", "/cgi-bin/get_current_autoreply_info", params=params)

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
            response.raise_for_status()
            answer = response.json()
        except self._transport_error as exc:
            # The URL carries the access token: name the path only.
            raise ApiTransportError(f"{method} {path} failed: {type(exc).__name__}") from None
        except ValueError:
            raise ApiTransportError(f"{method} {path} answered what is not JSON") from None
        if not isinstance(answer, dict):
            raise ApiTransportError(f"{method} {path} answered JSON that is not an object")
        errcode = answer.get("errcode", 0)
        if errcode:
            raise api_error(int(errcode), str(answer.get("errmsg", "")), f"{method} {path}")
        return answer


def custom_message(touser: str, reply: replies.Reply) -> dict[str, Any]:
    """The customer-service message JSON for a reply object; typed error when it has none."""
    body: dict[str, Any]
    if isinstance(reply, replies.TextReply):
        return {"touser": touser, "msgtype": "text", "text": {"content": reply.content}}
    if isinstance(reply, replies.ImageReply | replies.VoiceReply):
        kind = "image" if isinstance(reply, replies.ImageReply) else "voice"
        return {"touser": touser, "msgtype": kind, kind: {"media_id": reply.media_id}}
    if isinstance(reply, replies.VideoReply):
        body = {"media_id": reply.media_id, "thumb_media_id": "", "title": reply.title}
        body["description"] = reply.description
        return {"touser": touser, "msgtype": "video", "video": body}
    if isinstance(reply, replies.MusicReply):
        body = {"title": reply.title, "description": reply.description}
        body |= {"musicurl": reply.music_url, "hqmusicurl": reply.hq_music_url}
        body["thumb_media_id"] = reply.thumb_media_id
        return {"touser": touser, "msgtype": "music", "music": body}
    if isinstance(reply, replies.NewsReply) and len(reply.articles) == 1:
        (item,) = reply.articles
        article = {"title": item.title, "description": item.description}
        article |= {"url": item.url, "picurl": item.pic_url}
        return {"touser": touser, "msgtype": "news", "news": {"articles": [article]}}
    kind = type(reply).__name__
    raise UnsendableReplyError(f"{kind} cannot be sent as a customer-service message")


def sendable(reply: replies.Reply) -> bool:
    """Whether `reply` has a customer-service form (transfers and multi-article news do not)."""
    try:
        custom_message("x", reply)
    except UnsendableReplyError:
        return False
    return True


__all__ = ["ApiError", "Client", "Material", "Token", "custom_message", "sendable"]
