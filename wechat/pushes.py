"""Inbound pushes as WeChat's servers write them, for the simulator and tests.

https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wechat.xmlwriter import write_xml

SIMULATED_OPENID = "o_simulator"
SIMULATED_GH_ID = "gh_simulator"


class SimulatorError(Exception):
    """The push could not be sent or its answer makes no sense; the message says why."""


def text_fields(content: str) -> dict[str, object]:
    return {"MsgType": "text", "Content": content}


def event_fields(name: str, key: str | None = None) -> dict[str, object]:
    return {"MsgType": "event", "Event": name, "EventKey": key}  # None: no EventKey element


def image_fields(media_id: str) -> dict[str, object]:
    picture = f"http://mmbiz.qpic.cn/mmbiz_jpg/simulator/{media_id}/0"  # made up, as asked
    return {"MsgType": "image", "PicUrl": picture, "MediaId": media_id}


def voice_fields(media_id: str, recognition: str | None = None) -> dict[str, object]:
    return {"MsgType": "voice", "MediaId": media_id, "Format": "amr", "Recognition": recognition}


def link_fields(url: str) -> dict[str, object]:
    return {"MsgType": "link", "Title": url, "Description": "", "Url": url}


def location_fields(spec: str) -> dict[str, object]:
    """From `X,Y[,LABEL]`: latitude, longitude and an optional place name."""
    parts = spec.split(",", 2)
    try:
        x, y = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        raise SimulatorError(
            f"a location is X,Y[,LABEL] in degrees, e.g. 23.13,113.26,Guangzhou; got {spec!r}"
        ) from None
    label = parts[2].strip() if len(parts) > 2 else ""
    return {"MsgType": "location", "Location_X": x, "Location_Y": y, "Scale": 15, "Label": label}


def fresh_msg_id() -> int:
    """A MsgId no earlier push has used: nanoseconds since the epoch fit WeChat's 64 bits."""
    return time.time_ns()


@dataclass(frozen=True)
class Push:
    """One inbound push: its type's fields (MsgType first) and its header."""

    fields: dict[str, object]
    from_user: str = SIMULATED_OPENID
    to_user: str = SIMULATED_GH_ID
    msg_id: int | None = None
    """None: a fresh one. Events never carry one, as WeChat sends them."""

    def xml(self) -> bytes:
        document: dict[str, object] = {
            "ToUserName": self.to_user,
            "FromUserName": self.from_user,
            "CreateTime": int(time.time()),
            **self.fields,
        }
        if self.fields.get("MsgType") != "event":
            document["MsgId"] = fresh_msg_id() if self.msg_id is None else self.msg_id
        return write_xml(document)


BUILDERS: dict[str, Callable[[Mapping[str, Any]], dict[str, object]]] = {
    "text": lambda given: text_fields(given["text"]),
    "event": lambda given: event_fields(given["event"], given.get("event_key")),
    "image": lambda given: image_fields(given["image"]),
    "voice": lambda given: voice_fields(given["voice"], given.get("recognition")),
    "location": lambda given: location_fields(given["location"]),
    "link": lambda given: link_fields(given["link"]),
}


def build_fields(kind: str, given: Mapping[str, Any]) -> dict[str, object]:
    """The fields of a push of `kind` (a key of BUILDERS) from the values `given` by name."""
    return BUILDERS[kind](given)
