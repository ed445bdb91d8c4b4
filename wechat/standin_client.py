"""Reading the API stand-in (wechat/standin.py) from outside: what reached a follower.

Used by the simulator to show the customer-service messages that follow a passive reply.
"""

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode


def delivered(base_url: str, touser: str, since: float = 0.0) -> list[dict[str, Any]] | None:
    """The messages the stand-in delivered to `touser` since `since` (epoch seconds), in
    order; None when `base_url` is not a stand-in (the real API has no such page)."""
    url = f"{base_url.rstrip('/')}/_standin/sent?{urlencode({'touser': touser})}"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (a configured URL)
            sent = json.loads(answer.read()).get("sent")
    except (OSError, ValueError):
        return None
    if not isinstance(sent, list):
        return None
    return [m for m in sent if isinstance(m, dict) and m.get("received_at", 0) >= since]


def describe(message: dict[str, Any]) -> list[str]:
    """A customer-service message as a person reads it: its type, then its values."""
    kind = str(message.get("msgtype", "?"))
    body = message.get(kind)
    if kind == "text" and isinstance(body, dict):
        return ["customer-service message — text:", f"  {body.get('content', '')}"]
    if kind == "news" and isinstance(body, dict):
        body = (body.get("articles") or [{}])[0]
    values = body.items() if isinstance(body, dict) else []
    return [f"customer-service message — {kind}:", *(f"  {k}: {v}" for k, v in values if v)]
