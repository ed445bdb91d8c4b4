"""Fixtures of the lookup tests: a source database standing in for a factory's system,
created in the test cluster, and a role that may only read it."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from tests.autoreply.lookups.sources import BOTS, QUERY, role_admin_url, server_url


@pytest.fixture
def role_admin(db) -> str:
    url = role_admin_url()
    if url is None:
        pytest.skip("no role of the test cluster may create roles (a read-only role is needed)")
    return url


@pytest.fixture
def reader(role_admin) -> Iterator[tuple[str, str]]:
    """A role that may log in and nothing else (name, password); dropped afterwards."""
    name, password = f"autoreply_reader_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    with psycopg.connect(role_admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
    try:
        yield name, password
    finally:
        with psycopg.connect(role_admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def source_db(db, reader) -> Iterator[str]:
    """A database of its own in the test cluster, holding `parts` (code, location) with the
    rows of fixtures/bots/workpieces.csv, readable by `reader`; dropped afterwards. Yields
    its owner's URL (see `reader_url` for the one a source should use)."""
    name = f"autoreply_source_{uuid.uuid4().hex[:12]}"
    admin = server_url(connection.settings_dict["NAME"])
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        rows = [line.split(",") for line in (BOTS / "workpieces.csv").read_text().split()[1:]]
        with psycopg.connect(server_url(name)) as conn:
            conn.execute("CREATE TABLE parts (code text PRIMARY KEY, location text)")
            conn.cursor().executemany("INSERT INTO parts VALUES (%s, %s)", rows)
            conn.execute(sql.SQL("GRANT SELECT ON parts TO {}").format(sql.Identifier(reader[0])))
        yield server_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def reader_url(source_db, reader) -> str:
    """The source database as `reader` sees it: what a sync should connect as."""
    return server_url(source_db.rsplit("/", 1)[1], *reader)


@pytest.fixture
def configure(settings, reader_url):
    """Point `workpieces` (and any other table given) at the source database."""

    def configure(query: str = QUERY, table: str = "workpieces", **fields: object) -> None:
        spec = {"account": "factory", "database_url": reader_url, "query": query, **fields}
        settings.AUTOREPLY_LOOKUP_SOURCES = {table: spec}

    configure()
    return configure
