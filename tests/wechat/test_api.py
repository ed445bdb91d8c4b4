"""wechat.api against the stand-in (a real HTTP server on loopback): endpoints, typed errors."""

import json
import threading
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from wechat import api, errors, replies
from wechat.standin import StandIn

APP_ID = "wx2c2769f8efd9abc2"


@pytest.fixture
def standin() -> Iterator[StandIn]:
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(standin: StandIn) -> Iterator[api.Client]:
    client = api.Client(standin.base_url)
    yield client
    client.close()


def steer(standin: StandIn, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(f"{standin.base_url}{path}", data=data, timeout=5) as answer:
        result: dict[str, Any] = json.loads(answer.read())
        return result


def test_a_stable_token_is_the_same_until_forced(client: api.Client) -> None:
    first = client.stable_token(APP_ID, "secret")
    assert first.expires_in > 7000
    assert client.stable_token(APP_ID, "secret").access_token == first.access_token
    forced = client.stable_token(APP_ID, "secret", force_refresh=True)
    assert forced.access_token != first.access_token


def test_a_missing_secret_is_a_typed_error(client: api.Client) -> None:
    with pytest.raises(errors.ApiError) as caught:
        client.stable_token(APP_ID, "")
    assert caught.value.code == 40125
    assert "invalid appsecret" in str(caught.value)


SENDS = [
    (replies.TextReply("你好 <b>"), "text", {"content": "你好 <b>"}),
    (replies.ImageReply("M1"), "image", {"media_id": "M1"}),
    (replies.VoiceReply("M2"), "voice", {"media_id": "M2"}),
    (
        replies.VideoReply("M3", "T", "D"),
        "video",
        {"media_id": "M3", "thumb_media_id": "", "title": "T", "description": "D"},
    ),
    (
        replies.MusicReply("TH", "T", "D", "http://m", "http://hq"),
        "music",
        {
            "title": "T",
            "description": "D",
            "musicurl": "http://m",
            "hqmusicurl": "http://hq",
            "thumb_media_id": "TH",
        },
    ),
    (
        replies.NewsReply((replies.Article("T", "D", "http://p", "http://u"),)),
        "news",
        {"articles": [{"title": "T", "description": "D", "url": "http://u", "picurl": "http://p"}]},
    ),
]


@pytest.mark.parametrize(("reply", "msgtype", "body"), SENDS, ids=lambda v: str(v)[:12])
def test_every_sendable_type_arrives_as_documented(
    standin: StandIn, client: api.Client, reply: replies.Reply, msgtype: str, body: dict[str, Any]
) -> None:
    token = client.stable_token(APP_ID, "secret").access_token
    client.send(token, "oFollower", reply)
    (sent,) = steer(standin, "/_standin/sent?touser=oFollower")["sent"]
    assert sent["msgtype"] == msgtype
    assert sent[msgtype] == body


def test_transfers_and_multi_article_news_have_no_customer_service_form() -> None:
    two = replies.NewsReply((replies.Article("a"), replies.Article("b")))
    for reply in (replies.TransferCustomerServiceReply(), two):
        assert not api.sendable(reply)
        with pytest.raises(errors.UnsendableReplyError):
            api.custom_message("o", reply)
    assert api.sendable(replies.TextReply("x"))


@pytest.mark.parametrize(
    ("errcode", "kind"),
    [
        (-1, errors.SystemBusyError),
        (45015, errors.ReplyWindowClosedError),
        (45047, errors.TooManyMessagesError),
        (40003, errors.NotFollowingError),
        (48001, errors.NoPermissionError),
        (40013, errors.ApiError),
    ],
)
def test_errcodes_become_typed_errors(
    standin: StandIn, client: api.Client, errcode: int, kind: type[errors.ApiError]
) -> None:
    token = client.stable_token(APP_ID, "secret").access_token
    steer(standin, "/_standin/fail", {"errcode": errcode, "count": 1})
    with pytest.raises(kind) as caught:
        client.send(token, "o", replies.TextReply("x"))
    assert caught.value.code == errcode
    assert caught.value.retryable is (errcode == -1)
    client.send(token, "o", replies.TextReply("x"))  # only the next one failed
    assert len(steer(standin, "/_standin/sent?touser=o")["sent"]) == 1


def test_an_expired_token_says_so(standin: StandIn, client: api.Client) -> None:
    token = client.stable_token(APP_ID, "secret").access_token
    steer(standin, "/_standin/expire", {})
    with pytest.raises(errors.InvalidTokenError) as caught:
        client.send(token, "o", replies.TextReply("x"))
    assert caught.value.code == 42001
    assert caught.value.token_problem
    with pytest.raises(errors.InvalidTokenError):
        client.send("made-up", "o", replies.TextReply("x"))


def test_a_refused_server_is_a_retryable_transport_error() -> None:
    client = api.Client("http://127.0.0.1:9")  # discard port: nothing listens
    with pytest.raises(errors.ApiTransportError) as caught:
        client.stable_token(APP_ID, "secret")
    assert caught.value.retryable
    assert "secret" not in str(caught.value)


def test_a_video_upload_sends_its_description(standin: StandIn, client: api.Client) -> None:
    token = client.stable_token(APP_ID, "secret").access_token
    material = client.add_material(
        token, "video", "clip.mp4", b"\x00" * 100, title="开业", introduction="三楼"
    )
    assert material.media_id and not material.url
    (record,) = steer(standin, "/_standin/stats")["materials"]
    assert record["description"] == {"title": "开业", "introduction": "三楼"}
    assert (record["filename"], record["size"], record["type"]) == ("clip.mp4", 100, "video")


def test_an_image_upload_gets_a_url(client: api.Client) -> None:
    token = client.stable_token(APP_ID, "secret").access_token
    material = client.add_material(token, "image", "a.png", b"\x89PNG")
    assert material.url.startswith("http://")
    with pytest.raises(ValueError, match="not one of"):
        client.add_material(token, "gif", "a.gif", b"")


def test_the_platform_settings_come_back_as_served(standin: StandIn, client: api.Client) -> None:
    standin.state.autoreply_info = {"is_autoreply_open": 1, "keyword_autoreply_info": {"list": []}}
    token = client.stable_token(APP_ID, "secret").access_token
    assert client.autoreply_info(token)["is_autoreply_open"] == 1
