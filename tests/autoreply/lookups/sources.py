"""The source databases of the sync tests: URLs of the test cluster for any role."""

from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
BOTS = ROOT / "fixtures" / "bots"
QUERY = "SELECT code, location FROM parts"


def server_url(dbname: str, user: str | None = None, password: str | None = None) -> str:
    db = connection.settings_dict
    user, password = (user, password) if user else (db["USER"], db.get("PASSWORD"))
    secret = f":{password}" if password else ""
    return f"postgres://{user}{secret}@{db['HOST']}:{db['PORT']}/{dbname}"


def role_admin_url() -> str | None:
    """A URL of the test cluster for a role that may create roles: the test's own role when
    it may, else the cluster's `postgres` superuser (bin/localpg's throwaway cluster)."""
    for url in (server_url("postgres"), server_url("postgres", "postgres")):
        try:
            with psycopg.connect(url, connect_timeout=5) as conn:
                row = conn.execute(
                    "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
                ).fetchone()
        except psycopg.OperationalError:
            continue
        if row and row[0]:
            return url
    return None


def source_sql(url: str, statement: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(statement)
