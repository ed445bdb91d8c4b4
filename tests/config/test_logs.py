"""Logs as a collector reads them, from a real gunicorn: JSON lines with
DJANGO_LOG_FORMAT=json, UTC times in every line, and the access line and the app's lines
for one push tied by the same request id."""

import json
import re

import pytest

from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import text

pytestmark = pytest.mark.django_db(transaction=True)
UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def test_json_lines_in_utc_with_one_request_id_per_push(tmp_path):
    access = tmp_path / "access.log"
    with gunicorn(workers=1, access_log=str(access), DJANGO_LOG_FORMAT="json") as base:
        status, _ = post(f"{base}/wechat/no-such-account/", text("hi"))
    assert status == 404
    errors = [json.loads(line) for line in gunicorn.last_log.splitlines() if line.strip()]
    accesses = [json.loads(line) for line in access.read_text().splitlines()]
    for record in errors + accesses:
        assert UTC.fullmatch(record["time"]), record
        assert "request_id" in record
    refused = next(r for r in errors if "no-such-account" in r["message"])
    line = next(r for r in accesses if "/wechat/no-such-account/" in r["message"])
    assert refused["request_id"] == line["request_id"] != "-"


def test_plain_lines_carry_a_utc_time_from_every_process():
    with gunicorn(workers=2) as base:
        post(f"{base}/wechat/no-such-account/", text("hi"))
    lines = [line for line in gunicorn.last_log.splitlines() if line.strip()]
    assert len({re.search(r"\[(\d+)\]", line).group(1) for line in lines}) >= 2  # master, workers
    for line in lines:
        assert UTC.match(line), line
