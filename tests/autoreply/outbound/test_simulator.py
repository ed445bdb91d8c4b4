"""wechat_send shows reply all working on the demo: the passive reply, then the follow-ups
as they reached the simulated follower (gunicorn, a worker and the stand-in, all real)."""

import io

import pytest
from django.core.management import call_command

from autoreply.models import OutboundMessage
from tests.autoreply.outbound.conftest import workers
from tests.gunicorn_server import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def send(base: str, *args: str) -> str:
    out = io.StringIO()
    call_command("wechat_send", "--account", "demo", "--url", base, *args, stdout=out)
    return out.getvalue()


def test_the_demos_reply_all_rule_shows_all_three_replies_in_order(standin, demo):
    with gunicorn(workers=1) as base, workers(standin):
        out = send(base, "全部")
    lines = out.splitlines()
    assert lines[0] == "200 OK — text reply:"
    assert lines[1].startswith("回复全部 1/3")
    assert lines[2:] == [
        "customer-service message — text:",
        "  回复全部 2/3: this one follows as a customer-service message.",
        "customer-service message — text:",
        "  回复全部 3/3: and this one after it, in order.",
    ]


def test_without_a_worker_it_says_what_is_still_queued(standin, demo, settings):
    with gunicorn(workers=1) as base:
        out = send(base, "全部")
    assert "(2 still queued: is `manage.py worker` running?)" in out
    assert OutboundMessage.objects.filter(status="queued").count() == 2


def test_an_ordinary_reply_waits_for_nothing(standin, demo):
    with gunicorn(workers=1) as base:
        out = send(base, "help")
    assert "customer-service" not in out
