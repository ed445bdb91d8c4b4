"""The spool in one process, against the real test database: a push the database
refuses is answered and kept on disk, a retry gets the answer already sent, and the
replay stores each push exactly once. (The outages themselves are test_outages.py.)

The database's refusal is injected where the webhook stores the row; the replay then
writes to the real database."""

import json

import pytest
from django.core.management import call_command
from django.db import OperationalError

from autoreply.choices import Status
from autoreply.models import Message
from autoreply.rules.rendering import Decision
from autoreply.webhook import recording, spool
from tests.factories import rule, text_rule
from tests.wechat_client import signed_query, text
from wechat.messages import parse_message


@pytest.fixture
def database_away(monkeypatch):
    def refuse(row: recording.Row, binding: object = None) -> int | None:
        raise OperationalError("the database is away (injected)")

    monkeypatch.setattr(recording, "insert", refuse)
    return monkeypatch


def test_a_refused_push_is_answered_from_memory_and_stored_once_by_the_replay(
    bot, acme, database_away
):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    body = text("hi", from_user="oAway")
    response = bot.post(body)
    assert response.status_code == 200 and b"hello" in response.content
    assert (spool.depth(), Message.objects.count()) == (1, 0)

    database_away.undo()
    assert spool.replay() == spool.Replayed(stored=1)
    row = Message.objects.get()
    assert (row.from_user, row.status, row.reply.encode()) == ("oAway", "reply", response.content)
    assert row.raw_xml == body.decode()
    assert spool.depth() == 0 and spool.replay() == spool.Replayed()


def test_a_retry_while_the_database_is_away_gets_the_answer_already_sent(bot, acme, database_away):
    rule(acme, "hi", keywords=(("exact", "hi"),), replies=tuple(f"hello {n}" for n in range(9)))
    body, query = text("hi"), signed_query("spamtest")
    answers = {bot.post(body, query=query).content for _ in range(5)}
    assert len(answers) == 1 and b"hello" in answers.pop()
    assert spool.depth() == 1


def test_a_rule_with_a_cooldown_cannot_be_checked_so_the_answer_is_success(
    bot, acme, database_away
):
    text_rule(acme, "hi", "hello", ("exact", "hi"), cooldown_seconds=60)
    assert bot.post(text("hi")).content == b"success"
    database_away.undo()
    spool.replay()
    row = Message.objects.get()
    assert row.status == "error" and "the database was away" in row.error


def test_a_push_replayed_twice_is_stored_once(bot, acme, database_away):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    bot.post(text("hi"))
    (entry,) = spool.folder().glob("*.json")
    saved = entry.read_bytes()
    database_away.undo()
    assert spool.replay().stored == 1
    entry.write_bytes(saved)  # as if a second replayer had read it before the first finished
    assert spool.replay() == spool.Replayed(duplicates=1)
    assert Message.objects.count() == 1


def test_of_two_concurrent_deliveries_the_first_answer_wins(bot, acme, database_away):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    raw = text("hi", MsgId=77)
    bot.post(raw)
    message = parse_message(raw)
    key = recording.dedup_key(message, raw)
    late = recording.Row(acme.pk, key, message, raw, Decision(Status.NO_RULE), 1.0)
    sent = spool.answer_for(acme.pk, key)
    assert sent is not None and b"hello" in sent
    assert spool.write("acme", late, b"another answer") == sent
    assert spool.depth() == 1


def test_replay_spool_stores_what_is_spooled_and_says_so(bot, acme, database_away, capsys):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    bot.post(text("hi"))
    bot.post(text("hi"))
    database_away.undo()
    call_command("replay_spool")
    assert capsys.readouterr().out.strip() == (
        "2 stored, 0 already stored, 0 refused by the database, 0 left"
    )
    assert Message.objects.count() == 2


def test_an_entry_the_database_refuses_leaves_the_rest_of_its_chunk_in(
    bot, acme, database_away, monkeypatch
):
    """Entries are replayed a chunk per transaction, each in a savepoint of its own: one
    the database refuses for good (its account is gone) is set aside, the others stored,
    in several chunks."""
    monkeypatch.setattr(spool, "CHUNK", 2)
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    for _ in range(5):
        bot.post(text("hi"))
    entries = sorted(spool.folder().glob("*.json"))
    orphan = entries[2]
    document = json.loads(orphan.read_bytes())
    document["row"][0] = document["row"][-8] = 999_999  # an account that does not exist
    orphan.write_text(json.dumps(document))
    database_away.undo()
    assert spool.replay() == spool.Replayed(stored=4, refused=1)
    assert Message.objects.count() == 4
    assert [path.name for path in spool.folder().iterdir() if path.suffix != ".lock"] == [
        orphan.with_suffix(spool.REFUSED).name
    ]
