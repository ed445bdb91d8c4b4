"""What the API stand-in (wechat/standin.py) remembers: tokens, sends, steering."""

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

EMPTY_AUTOREPLY_INFO: dict[str, Any] = {"is_add_friend_reply_open": 0, "is_autoreply_open": 0}


@dataclass
class State:
    """Everything the stand-in remembers; every access holds `lock`."""

    expires_in: int = 7200
    autoreply_info: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_AUTOREPLY_INFO))
    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> when it expires
    current: dict[str, str] = field(default_factory=dict)  # appid -> its stable token
    token_fetches: int = 0
    send_attempts: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # errcodes for the next sends
    refusals: dict[str, int] = field(default_factory=dict)  # openid -> errcode
    materials: list[dict[str, Any]] = field(default_factory=list)

    def issue(self, appid: str, force: bool) -> dict[str, Any]:
        self.token_fetches += 1
        token = self.current.get(appid, "")
        if force or self.tokens.get(token, 0) <= time.time():
            token = secrets.token_urlsafe(24)
            self.current[appid] = token
            self.tokens[token] = time.time() + self.expires_in
        return {"access_token": token, "expires_in": int(self.tokens[token] - time.time())}

    def token_error(self, token: str) -> dict[str, Any] | None:
        if token not in self.tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        if self.tokens[token] <= time.time():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def send(self, message: dict[str, Any]) -> dict[str, Any]:
        self.send_attempts += 1
        if self.failures:
            return {"errcode": self.failures.pop(0), "errmsg": "failing on request"}
        refusal = self.refusals.get(str(message.get("touser", "")))
        if refusal:
            return {"errcode": refusal, "errmsg": "refused on request"}
        if message.get("msgtype") not in {"text", "image", "voice", "video", "music", "news"}:
            return {"errcode": 40008, "errmsg": "invalid message type"}
        self.sent.append({**message, "received_at": time.time()})
        return {"errcode": 0, "errmsg": "ok"}
