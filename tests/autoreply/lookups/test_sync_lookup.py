"""`sync_lookup`: a lookup table filled from another real PostgreSQL database (created in
the test cluster, standing in for the factory's system), read-only and time-limited."""

import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from autoreply import checks
from autoreply.lookups import sync as lookup_sync
from autoreply.models import Account, LookupEntry
from tests.factories import account
from tests.wechat_client import WeChatClient
from wechat.replies import TextReply

ROOT = Path(__file__).resolve().parents[3]
BOTS = ROOT / "fixtures" / "bots"
QUERY = "SELECT code, location FROM parts"


def server_url(dbname: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{dbname}"


@pytest.fixture
def source_db(db) -> Iterator[str]:
    """A database of its own in the test cluster, holding `parts` (code, location) with the
    rows of fixtures/bots/workpieces.csv; dropped afterwards. Yields its URL."""
    name = f"autoreply_source_{uuid.uuid4().hex[:12]}"
    admin = server_url(connection.settings_dict["NAME"])
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        rows = [line.split(",") for line in (BOTS / "workpieces.csv").read_text().split()[1:]]
        with psycopg.connect(server_url(name)) as conn:
            conn.execute("CREATE TABLE parts (code text PRIMARY KEY, location text)")
            conn.cursor().executemany("INSERT INTO parts VALUES (%s, %s)", rows)
        yield server_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def source_sql(url: str, statement: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(statement)


@pytest.fixture
def configure(settings, source_db):
    """Point `workpieces` (and any other table given) at the source database."""

    def configure(query: str = QUERY, table: str = "workpieces", **fields: object) -> None:
        spec = {"account": "factory", "database_url": source_db, "query": query, **fields}
        settings.AUTOREPLY_LOOKUP_SOURCES = {table: spec}

    configure()
    return configure


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
def test_the_command_reads_its_sources_from_the_environment(source_db):
    """The real command in a process of its own: the JSON comes from the environment
    variable, and a broken one stops the command at start-up with the check's id."""
    account("factory")
    spec = {"workpieces": {"account": "factory", "database_url": source_db, "query": QUERY}}
    env = {**os.environ, "DATABASE_URL": server_url(connection.settings_dict["NAME"]),
           "AUTOREPLY_LOOKUP_SOURCES": json.dumps(spec)}  # fmt: skip
    command = [sys.executable, "manage.py", "sync_lookup", "--all"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "factory/workpieces: 8 added" in done.stdout
    env["AUTOREPLY_LOOKUP_SOURCES"] = '{"workpieces": {"account": "factory"}'
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "autoreply.E101" in done.stderr
