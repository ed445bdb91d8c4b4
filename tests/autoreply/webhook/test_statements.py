"""The webhook's prepared statements on libpq's API, on a real connection outside any
test transaction (which is where the webhook runs them)."""

import pytest
from django.db import IntegrityError, OperationalError, connection, connections

from autoreply.webhook.statements import Prepared
from tests.wechat_client import PAYLOADS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scratch():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch (id int PRIMARY KEY, note text)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE scratch")


def test_runs_with_parameters_and_returns_the_first_row_as_text(scratch):
    insert = Prepared("t_insert", "INSERT INTO scratch VALUES (%s, %s) RETURNING id, note")
    assert insert.first_row(connection, [1, "你好 ]]> 'quoted'"]) == (
        b"1",
        "你好 ]]> 'quoted'".encode(),
    )
    assert insert.first_row(connection, [2, None]) == (b"2", None)


def test_no_rows_is_none(scratch):
    select = Prepared("t_select", "SELECT id FROM scratch WHERE id = %s")
    assert select.first_row(connection, [42]) is None


def test_database_errors_become_djangos(scratch):
    insert = Prepared("t_dup", "INSERT INTO scratch VALUES (%s, %s)")
    insert.first_row(connection, [1, "a"])
    with pytest.raises(IntegrityError):
        insert.first_row(connection, [1, "b"])


def test_an_error_of_the_statements_own_commit_is_raised_not_its_rows(scratch):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE scratch_child"
            " (parent int REFERENCES scratch DEFERRABLE INITIALLY DEFERRED)"
        )
    try:
        insert = Prepared("t_child", "INSERT INTO scratch_child VALUES (%s) RETURNING parent")
        with pytest.raises(IntegrityError, match="foreign key"):
            insert.first_row(connection, [7])  # no such parent: refused as it commits
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM scratch_child")
            assert cursor.fetchone() == (0,)
        assert insert.first_row(connection, [None]) == (None,)  # the connection goes on
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE scratch_child")


def test_prepares_again_on_a_new_connection(scratch):
    select = Prepared("t_again", "SELECT %s::int + 1")
    assert select.first_row(connection, [1]) == (b"2",)
    connection.close()
    assert select.first_row(connection, [2]) == (b"3",)


def drop_session() -> None:
    """Have the server end the session behind `connection`, as a restart or a proxy would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


def test_a_dropped_connection_is_an_operational_error(scratch):
    select = Prepared("t_dropped", "SELECT 1")
    select.first_row(connection, [])
    drop_session()
    with pytest.raises(OperationalError):
        select.first_row(connection, [])
    connection.close()


def test_the_webhook_replaces_a_dropped_connection_once(acme, settings):
    """recording._run retries on a fresh connection when the old one was dropped."""
    from autoreply.webhook import recording

    settings.AUTOREPLY_WEBHOOK_DATABASE = "default"
    assert recording._run("SELECT 1", [], prepared=Prepared("t_one", "SELECT 1")) == (b"1",)
    drop_session()
    assert recording._run("SELECT 1", [], prepared=Prepared("t_one", "SELECT 1")) == (b"1",)


def test_a_repeat_reads_the_same_first_answer_prepared_or_in_a_transaction(acme, settings):
    """recording.earlier runs prepared outside a transaction (its values come back as
    text bytes) and on Django's cursor inside one: both give the same Earlier."""
    from django.db import transaction

    from autoreply.choices import Status
    from autoreply.rules.rendering import Decision
    from autoreply.webhook import recording
    from wechat.messages import parse_message

    settings.AUTOREPLY_WEBHOOK_DATABASE = "default"
    raw = PAYLOADS.joinpath("text.xml").read_bytes()
    message = parse_message(raw)
    key = recording.dedup_key(message, raw)
    reply = "<xml><Content><![CDATA[您好，已收到]]></Content></xml>".encode()
    decision = Decision(Status.REPLY, reply=reply, context="售后")
    assert recording.insert(recording.Row(acme.id, key, message, raw, decision, 1.0))

    prepared = recording.earlier(acme.id, key, message.create_time, 3600.0)
    with transaction.atomic():
        in_transaction = recording.earlier(acme.id, key, message.create_time, 3600.0)
    assert prepared == in_transaction
    assert prepared is not None
    assert (prepared.status, prepared.reply, prepared.context) == (Status.REPLY, reply, "售后")
    assert prepared.stale is False
    assert recording.earlier(acme.id, key, message.create_time, 0.0).stale is True
