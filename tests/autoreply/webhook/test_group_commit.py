"""Group commit (autoreply/webhook/batching.py): pushes of one threaded worker stored at the
same moment share one transaction, and still each is stored once, before it is answered,
and spooled when its batch fails."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connections

from autoreply.conf import webhook_database
from autoreply.models import Message, SignedQuery
from autoreply.rules.rendering import Decision
from autoreply.webhook import batching, recording
from autoreply.webhook.replays import Binding
from tests.cluster import cluster
from tests.factories import account
from tests.gunicorn_server import gunicorn
from tests.wechat_client import text
from tests.wechat_retries import deliver
from wechat.messages import parse_message

from .test_outages import RULES

pytestmark = pytest.mark.django_db(transaction=True)


def bound_params(account_id: int, content: str, msg_id: int, body: bytes = b"") -> list[object]:
    """BOUND's parameters for a text push, bound to a query of its own."""
    raw = text(content, MsgId=msg_id, from_user="oBatch")
    message = parse_message(raw)
    key = recording.dedup_key(message, raw)
    row = recording.Row(account_id, key, message, raw, Decision("no_rule"), 1.0)
    binding = Binding(account_id, uuid.uuid4(), uuid.uuid5(uuid.NAMESPACE_OID, body.hex()))
    return [*binding.params(), *recording._with_day(row.params())]


def run_batch(batch: list[list[object]]) -> list[int | None]:
    rows = recording.PREPARED_BOUND.first_rows_in_one_transaction(
        connections[webhook_database()], batch
    )
    return [recording.stored_id(row) for row in rows]


def test_two_deliveries_of_one_key_in_a_batch_store_it_once():
    acme = account("acme")
    first, other = bound_params(acme.id, "hi", 1), bound_params(acme.id, "ho", 2)
    again = [*first[:1], uuid.uuid4(), *first[2:]]  # the same push under a query of its own
    ids = run_batch([first, again, other])
    assert ids[0] is not None and ids[1] is None and ids[2] is not None  # the second: a repeat
    assert sorted(Message.objects.values_list("msg_id", flat=True)) == [1, 2]
    assert SignedQuery.objects.count() == 3


def test_a_failing_push_fails_its_whole_batch_and_stores_nothing():
    acme = account("acme")
    good, bad = bound_params(acme.id, "hi", 1), bound_params(acme.id, "ho", 2)
    bad[4 + 2] = 10**20  # a MsgId too long for its column: the row is refused
    with pytest.raises(DatabaseError):
        run_batch([good, bad])
    assert not Message.objects.exists() and not SignedQuery.objects.exists()
    assert run_batch([good]) != [None]  # the connection is usable again, rolled back


@pytest.fixture
def committer():
    committer = batching.Committer(recording.PREPARED_BOUND)
    yield committer
    committer.stop()  # and its connection closed, so that the test database can go


def test_concurrent_callers_share_batches_and_each_gets_its_own_row(monkeypatch, committer):
    acme = account("acme")
    batches: list[int] = []
    commit = committer._commit
    monkeypatch.setattr(
        committer, "_commit", lambda batch: batches.append(len(batch)) or commit(batch)
    )
    params = [bound_params(acme.id, f"m{n}", n) for n in range(1, 41)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        rows = list(pool.map(lambda p: committer.run((acme.id, "oBatch"), p), params))
    assert len({recording.stored_id(row) for row in rows}) == 40
    assert Message.objects.count() == 40 and sum(batches) == 40
    assert len(batches) < 40  # some shared a commit


def test_a_failed_batch_fails_each_of_its_callers(monkeypatch, committer):
    acme = account("acme")
    release = threading.Event()
    commit = committer._commit

    def slow(batch):  # the first batch holds the committer until all have queued
        release.wait(5)
        return commit(batch)

    monkeypatch.setattr(committer, "_commit", slow)
    good, bad = bound_params(acme.id, "hi", 1), bound_params(acme.id, "ho", 2)
    bad[4 + 2] = 10**20
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(committer.run, (acme.id, "a"), bound_params(acme.id, "x", 3))
        time.sleep(0.2)
        queued = [pool.submit(committer.run, (acme.id, "b"), p) for p in (good, bad)]
        time.sleep(0.2)
        release.set()
        assert first.result() is not None
        for future in queued:  # one batch, one failure: both go to the spool
            with pytest.raises(DatabaseError):
                future.result()
    assert list(Message.objects.values_list("msg_id", flat=True)) == [3]


def test_under_threads_no_answer_arrives_before_its_commit():
    """The whole cluster frozen for less than the watchdog's cut-off while pushes wait
    for their batch: not one answer before it thaws, and every push stored, none spooled."""
    with cluster(RULES) as own, gunicorn(workers=1, database_url=own.url, WEB_THREADS="16") as base:
        deliver(base, "load", "warm {msg_id}")  # the committer's connection is open
        with ThreadPoolExecutor(max_workers=8) as pool:
            own.freeze()
            pushes = [
                pool.submit(lambda: (deliver(base, "load", "frozen {msg_id}"), time.monotonic()))
                for _ in range(8)
            ]
            time.sleep(0.3)
            thawed = time.monotonic()
            own.thaw()
            answered = [future.result() for future in pushes]
        stored = own.query("SELECT count(*) FROM autoreply_message WHERE text LIKE 'frozen %%'")
    assert all(at >= thawed for _, at in answered)
    for delivery, _ in answered:
        assert delivery.attempts[-1][0] == 200 and delivery.content.encode() in delivery.answer
    assert stored == [(8,)]
    assert "spooled" not in gunicorn.last_log


def test_under_threads_a_cooldown_still_lets_one_of_concurrent_pushes_through():
    """Cooldowns keep their own transaction (the follower's row locked): of eight pushes
    of one follower at once, on one threaded worker, one gets the rule's answer."""
    with cluster(RULES) as own, gunicorn(workers=1, database_url=own.url, WEB_THREADS="16") as base:
        deliver(base, "load", "warm {msg_id}", from_user="oCool")
        with ThreadPoolExecutor(max_workers=8) as pool:
            pushes = [pool.submit(deliver, base, "load", "once", "oCool") for _ in range(8)]
            answers = [future.result().answer for future in pushes]
        stored = own.query("SELECT count(*) FROM autoreply_message WHERE text = 'once'")
    assert sum(b"only once" in answer for answer in answers) == 1
    assert stored == [(8,)]
