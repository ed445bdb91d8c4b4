"""A property over the real payload files: mutated (bytes, fields, encodings, control
characters) and posted signed, plain or encrypted, through the real WSGI app, a push is
never answered with a 5xx, and a refused push never leaves a row."""

import re
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from autoreply.models import Follower, Message
from tests.wechat_client import PAYLOADS

BODIES = [path.read_bytes() for path in sorted(Path(PAYLOADS).glob("*.xml"))]
LEAF = re.compile(rb"<(\w+)>([^<]*|<!\[CDATA\[.*?\]\]>)</\1>", re.DOTALL)
CONTROLS = st.binary(min_size=1, max_size=4).map(lambda b: bytes(c % 32 for c in b))


@st.composite
def flipped_bytes(draw, body: bytes) -> bytes:
    at = draw(st.integers(0, max(len(body) - 1, 0)))
    junk = draw(st.binary(max_size=4))
    cut = draw(st.integers(0, 3))
    return body[:at] + junk + body[at + cut :]


@st.composite
def with_controls(draw, body: bytes) -> bytes:
    at = draw(st.integers(0, len(body)))
    return body[:at] + draw(CONTROLS) + body[at:]


@st.composite
def new_field_value(draw, body: bytes) -> bytes:
    leaves = list(LEAF.finditer(body))
    if not leaves:
        return body
    leaf = draw(st.sampled_from(leaves))
    value = draw(
        st.one_of(
            st.text(max_size=80).map(lambda t: t.encode()),
            st.integers(-(2**70), 2**70).map(lambda n: str(n).encode()),
            st.sampled_from([b"", b"9" * 400, b"1e999", b"NaN", b"o" * 65, b"<![CDATA[]]>"]),
        )
    )
    escaped = value.replace(b"&", b"&amp;").replace(b"<", b"&lt;")
    return body[: leaf.start(2)] + escaped + body[leaf.end(2) :]


@st.composite
def re_encoded(draw, body: bytes) -> bytes:
    text = body.decode("utf-8", "replace")
    encoding = draw(st.sampled_from(["gbk", "gb18030", "utf-16", "latin-1", "utf-8-sig"]))
    declared = f'<?xml version="1.0" encoding="{encoding}"?>' if draw(st.booleans()) else ""
    return (declared + text).encode(encoding, "replace")


@st.composite
def mutated(draw) -> bytes:
    body = draw(st.sampled_from(BODIES))
    for _ in range(draw(st.integers(1, 3))):
        mutate = draw(st.sampled_from([flipped_bytes, with_controls, new_field_value, re_encoded]))
        body = draw(mutate(body))
    return body


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=mutated(), encrypted=st.booleans())
def test_a_mutated_push_is_never_a_5xx_and_a_refused_one_stores_nothing(wechat, body, encrypted):
    rows = (Message.objects.count(), Follower.objects.count())
    response = wechat.post_encrypted(body) if encrypted else wechat.post(body)
    event(f"status {response.status_code}")  # --hypothesis-show-statistics shows the mix
    assert response.status_code < 500, (response.status_code, response.content, body)
    if response.status_code != 200:
        assert (Message.objects.count(), Follower.objects.count()) == rows, body
    else:
        assert Message.objects.count() <= rows[0] + 1
