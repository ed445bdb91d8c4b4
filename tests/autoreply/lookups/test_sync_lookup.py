"""`sync_lookup`: a lookup table filled from another real PostgreSQL database (created in
the test cluster, standing in for the factory's system), read-only and time-limited, read
by a role that may only read (a superuser or a role that may write is refused)."""

import io
import json
import os
import subprocess
import sys
import time

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from autoreply import checks
from autoreply.lookups import sync as lookup_sync
from autoreply.models import Account, LookupEntry
from tests.autoreply.lookups.sources import BOTS, QUERY, ROOT, server_url, source_sql
from tests.factories import account
from tests.wechat_client import WeChatClient
from wechat.replies import TextReply


@pytest.fixture
def factory(db) -> Account:
    return account("factory")


def sync(*args: str) -> str:
    out = io.StringIO()
    call_command("sync_lookup", *args, stdout=out)
    return out.getvalue()


def table(name: str = "workpieces") -> dict[str, str]:
    return dict(LookupEntry.objects.filter(table__name=name).values_list("key", "value"))


def test_sync_fills_the_table_then_follows_the_source(factory, configure, source_db):
    first = sync("workpieces")
    assert "lookup table factory/workpieces: 8 added, 0 changed, 0 removed, 0 unchanged" in first
    assert table()["18-546"] == "车体新厂房3号" and len(table()) == 8
    source_sql(source_db, "UPDATE parts SET location = '车体新厂房9号' WHERE code = '18-546';"
                          "DELETE FROM parts WHERE code = '40-7';"
                          "INSERT INTO parts VALUES ('50-1', '锻造车间1号')")  # fmt: skip
    second = sync("workpieces")
    assert "1 added, 1 changed, 1 removed, 6 unchanged (8 rows from" in second
    with psycopg.connect(source_db) as conn:
        assert table() == dict(conn.execute(QUERY).fetchall())
    assert "1 added" not in sync("workpieces")  # nothing changed: 0 added, ... 8 unchanged


def test_a_sync_reaches_the_webhook(configure, source_db):
    call_command("import_rules", str(BOTS / "workpiece-finder.json"), stdout=io.StringIO())
    bot = WeChatClient(Account.objects.get(slug="factory"))
    assert bot.say("?18-546") == TextReply("[18-546]的工作台位为[车体新厂房3号]")
    source_sql(source_db, "UPDATE parts SET location = '车体新厂房9号' WHERE code = '18-546';"
                          "INSERT INTO parts VALUES ('77-1', '新库房')")  # fmt: skip
    assert "1 added, 1 changed, 0 removed, 7 unchanged" in sync("workpieces")
    assert bot.say("？18-546") == TextReply("[18-546]的工作台位为[车体新厂房9号]")
    assert bot.say("?77-1") == TextReply("[77-1]的工作台位为[新库房]")


def test_a_write_in_the_query_is_refused_and_nothing_changes(factory, configure, source_db):
    sync("workpieces")
    for query in ("DELETE FROM parts RETURNING code, location",
                  "COMMIT; DELETE FROM parts RETURNING code, location",
                  "WITH gone AS (DELETE FROM parts RETURNING *) SELECT * FROM gone"):  # fmt: skip
        configure(query)
        with pytest.raises(CommandError) as refused:
            sync("workpieces")
        message = str(refused.value)
        assert "lookup source 'workpieces'" in message and "left as it was" in message
        assert "read-only transaction" in message or "multiple commands" in message
    with psycopg.connect(source_db) as conn:
        assert conn.execute("SELECT count(*) FROM parts").fetchone() == (8,)
    assert len(table()) == 8


def test_a_slow_query_hits_the_timeout(factory, configure):
    configure(f"{QUERY}, pg_sleep(5)", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(CommandError, match=r"ran past its timeout of 0\.3 s"):
        sync("workpieces")
    assert time.monotonic() - started < 3
    assert not table()


def test_an_unknown_table_names_the_configured_ones(factory, configure, settings):
    sources = settings.AUTOREPLY_LOOKUP_SOURCES
    settings.AUTOREPLY_LOOKUP_SOURCES = sources | {"parcels": sources["workpieces"]}
    with pytest.raises(CommandError, match="named 'wp'; configured: parcels, workpieces"):
        sync("wp")
    settings.AUTOREPLY_LOOKUP_SOURCES = {}
    with pytest.raises(CommandError, match=r"configured: none \(set AUTOREPLY_LOOKUP_SOURCES\)"):
        sync("wp")
    with pytest.raises(CommandError, match="name the tables to sync, or give --all"):
        sync()


def test_all_syncs_every_table_and_a_failing_source_spares_the_others(factory, configure, settings):
    good = settings.AUTOREPLY_LOOKUP_SOURCES["workpieces"]
    settings.AUTOREPLY_LOOKUP_SOURCES = {
        "workpieces": good,
        "halls": good | {"query": "SELECT DISTINCT location, 'hall' FROM parts"},
        "broken": good | {"query": "SELECT code, location FROM no_such_table"},
    }
    with pytest.raises(CommandError) as failed:
        sync("--all")
    assert "lookup source 'broken'" in str(failed.value)
    assert 'relation "no_such_table" does not exist' in str(failed.value)
    assert len(table()) == 8 and len(table("halls")) == 7
    assert not LookupEntry.objects.filter(table__name="broken").exists()


def test_cells_are_converted_to_text_and_nulls_refused_naming_the_row(factory, configure):
    configure("SELECT code::text, n, d FROM (VALUES ('a', 42::int, date '2024-05-01'),"
              " ('b', 1.50::numeric, now()::date)) AS t(code, n, d)")  # fmt: skip
    sync("workpieces")
    assert table() == {"a": "42", "b": "1.50"}
    configure("SELECT * FROM (VALUES ('a', 'x'), ('b', NULL), ('c', 'z')) AS t")
    with pytest.raises(CommandError, match=r"row 2 \(key 'b'\): the value is NULL; select text"):
        sync("workpieces")
    configure("SELECT * FROM (VALUES (NULL, 'x')) AS t")
    with pytest.raises(CommandError, match="row 1: the key is NULL"):
        sync("workpieces")
    configure("SELECT 'a', true")
    with pytest.raises(CommandError, match=r"row 1 \(key 'a'\): the value is bool"):
        sync("workpieces")
    assert table() == {"a": "42", "b": "1.50"}  # the failed syncs left it as it was


def test_keys_that_are_the_same_after_normalising_are_refused(factory, configure, source_db):
    source_sql(source_db, "INSERT INTO parts VALUES ('ＡＢ-1', 'x'), ('ab-1', 'y')")
    with pytest.raises(CommandError, match="keys 'ＡＢ-1' and 'ab-1' are the same key"):
        sync("workpieces")
    assert not table()


def test_a_query_without_two_columns_is_refused(factory, configure):
    configure("SELECT code FROM parts")
    with pytest.raises(CommandError, match=r"returns 1 column\(s\), not key and value"):
        sync("workpieces")


def test_an_unreachable_source_changes_nothing(factory, configure, source_db):
    sync("workpieces")
    db, dbname = connection.settings_dict, source_db.rsplit("/", 1)[1]
    # Nothing listens on port 1; the password must not show in the error.
    configure(database_url=f"postgres://{db['USER']}:s3cret-pw@{db['HOST']}:1/{dbname}")
    with pytest.raises(CommandError) as refused:
        sync("workpieces")
    where = f"lookup source 'workpieces' ({db['USER']}@{db['HOST']}:1/{dbname}): "
    assert str(refused.value).startswith(where + "connection failed")
    assert "s3cret-pw" not in str(refused.value)
    assert len(table()) == 8


def test_an_unknown_account_is_named(configure):
    with pytest.raises(CommandError, match="no account with slug 'factory'"):
        sync("workpieces")


def test_only_postgresql_sources_are_accepted(factory, configure):
    configure(database_url="mysql://reader@127.0.0.1/factory")
    with pytest.raises(CommandError, match="'mysql' is not a PostgreSQL URL"):
        sync("workpieces")


CHECKS = {
    "not JSON": ('{"workpieces": ', "autoreply.E101"),
    "not an object": ("[1, 2]", "autoreply.E101"),
    "bad table name": ({"work pieces": {}}, "autoreply.E102"),
    "no query": ({"t": {"account": "a", "database_url": "postgres://h/d"}}, "autoreply.E102"),
    "unknown field": (
        {"t": {"account": "a", "database_url": "postgres://h/d", "query": "q", "user": "x"}},
        "autoreply.E102",
    ),
    "zero timeout": (
        {"t": {"account": "a", "database_url": "postgres://h/d", "query": "q", "timeout": 0}},
        "autoreply.E102",
    ),
    "not PostgreSQL": (
        {"t": {"account": "a", "database_url": "sqlite:///x.db", "query": "q"}},
        "autoreply.E103",
    ),
}


@pytest.mark.parametrize("value, code", CHECKS.values(), ids=CHECKS)
def test_the_system_check_names_the_problem(settings, value, code):
    settings.AUTOREPLY_LOOKUP_SOURCES = value
    assert [error.id for error in checks.check_lookup_sources(None)] == [code]


def test_the_system_check_passes_a_good_setting_as_json_text(settings):
    spec = {"account": "a", "database_url": "postgresql://r@h/d", "query": "q", "timeout": 2.5}
    settings.AUTOREPLY_LOOKUP_SOURCES = json.dumps({"t": spec})
    assert checks.check_lookup_sources(None) == []
    assert lookup_sync.configured()["t"].timeout == 2.5


@pytest.mark.django_db(transaction=True)
def test_the_command_reads_its_sources_from_the_environment(reader_url):
    """The real command in a process of its own: the JSON comes from the environment
    variable, and a broken one stops the command at start-up with the check's id."""
    account("factory")
    spec = {"workpieces": {"account": "factory", "database_url": reader_url, "query": QUERY}}
    env = {**os.environ, "DATABASE_URL": server_url(connection.settings_dict["NAME"]),
           "AUTOREPLY_LOOKUP_SOURCES": json.dumps(spec)}  # fmt: skip
    command = [sys.executable, "manage.py", "sync_lookup", "--all"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "factory/workpieces: 8 added" in done.stdout
    env["AUTOREPLY_LOOKUP_SOURCES"] = '{"workpieces": {"account": "factory"}'
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "autoreply.E101" in done.stderr


def test_a_superuser_source_is_refused_before_its_query_runs(factory, configure, source_db):
    superuser = server_url("postgres", "postgres")
    try:
        psycopg.connect(superuser, connect_timeout=5).close()
    except psycopg.OperationalError:
        pytest.skip("the test cluster's postgres superuser is not reachable")
    dbname = source_db.rsplit("/", 1)[1]
    configure("SELECT 'k', pg_sleep(3)::text", database_url=server_url(dbname, "postgres"))
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        sync("workpieces")
    assert time.monotonic() - started < 2  # refused on connect: the query never ran
    message = str(refused.value)
    assert "refused to sync lookup table 'workpieces'" in message
    assert "role 'postgres' is a superuser" in message and "GRANT SELECT" in message
    assert not table()


def test_a_source_role_that_may_write_is_refused_naming_what(factory, configure, source_db):
    configure(database_url=source_db)  # the owner of `parts`
    with pytest.raises(CommandError) as refused:
        sync("workpieces")
    user = connection.settings_dict["USER"]
    assert f"the source's role {user!r} may write (" in str(refused.value)
    assert "table public.parts" in str(refused.value)
    assert not table()


def test_a_grant_to_write_one_table_is_enough_to_refuse(factory, configure, source_db, reader):
    source_sql(source_db, f'GRANT UPDATE (location) ON parts TO "{reader[0]}"')
    with pytest.raises(CommandError, match=r"may write \(table public\.parts\)"):
        sync("workpieces")


def test_the_read_transaction_is_rolled_back(factory, configure, source_db):
    """lo_from_bytea runs even in a read-only transaction; rolled back, it leaves nothing."""
    count = "SELECT count(*) FROM pg_largeobject_metadata"
    with psycopg.connect(source_db) as conn:
        before = conn.execute(count).fetchone()
    configure("SELECT 'k', lo_from_bytea(0, 'payload')::text")
    assert "1 added" in sync("workpieces")
    with psycopg.connect(source_db) as conn:
        assert conn.execute(count).fetchone() == before


def test_more_rows_than_max_rows_is_an_error_and_the_table_is_unchanged(factory, configure):
    sync("workpieces")
    configure(max_rows=8)
    assert "8 unchanged" in sync("workpieces")  # exactly max_rows is fine
    configure("SELECT g::text, 'x' FROM generate_series(1, 50000) AS g", max_rows=7)
    with pytest.raises(CommandError, match=r"more than max_rows = 7 rows; narrow it"):
        sync("workpieces")
    assert len(table()) == 8


def test_max_rows_defaults_to_a_million_and_is_checked(settings):
    spec = {"account": "a", "database_url": "postgres://r@h/d", "query": "q"}
    settings.AUTOREPLY_LOOKUP_SOURCES = {"t": spec}
    assert lookup_sync.configured()["t"].max_rows == 1_000_000
    for bad in (0, "10", 2.5, True):
        settings.AUTOREPLY_LOOKUP_SOURCES = {"t": spec | {"max_rows": bad}}
        assert [e.id for e in checks.check_lookup_sources(None)] == ["autoreply.E102"], bad
