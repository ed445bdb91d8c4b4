"""gunicorn's access log (config/gunicorn.py) keeps query strings out: they hold the
signature, nonce, openid and msg_signature that would let a reader replay a push."""

import re
from urllib.parse import urlencode

import pytest

from tests.factories import account
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_access_log_has_no_query_string_and_a_time_on_every_line(tmp_path):
    account("acme")
    log = tmp_path / "access.log"
    query = signed_query("spamtest", openid="oSecretFollower")
    with gunicorn(workers=1, access_log=str(log)) as base:
        status, _ = post(f"{base}/wechat/acme/?{urlencode(query)}", text("hi"))
    assert status == 200
    lines = [line for line in log.read_text().splitlines() if "/wechat/acme/" in line]
    assert lines, log.read_text()
    for line in lines:
        assert "?" not in line
        for secret in (query["signature"], query["nonce"], "oSecretFollower"):
            assert secret not in line
        assert re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z ", line), line  # UTC
