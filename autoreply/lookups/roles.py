"""Whether a lookup source's database role may be trusted with an engineer's query.

A READ ONLY transaction stops ordinary writes, not what a privileged role can do from a
SELECT: a superuser writes server files (`COPY ... TO`, `lo_export`), members of
pg_signal_backend terminate other sessions, a role that may create roles can grant
itself those. The role is the boundary, so it is checked on connect, before the query.
"""

from typing import Any

# Built-in roles that reach past the database (PostgreSQL 14+ names; absent ones skipped).
SERVER_ROLES = (
    "pg_execute_server_program",
    "pg_write_server_files",
    "pg_read_server_files",
    "pg_signal_backend",
    "pg_write_all_data",
)

ATTRIBUTES = """
SELECT current_user, rolsuper, rolcreaterole,
       ARRAY(SELECT name FROM unnest(%s::text[]) AS name
             WHERE to_regrole(name) IS NOT NULL AND pg_has_role(current_user, name, 'USAGE'))
FROM pg_roles WHERE rolname = current_user
"""

# Tables (and views, foreign tables) the role may change, and schemas it may create in.
WRITABLE = """
SELECT format('table %I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
       OR has_any_column_privilege(c.oid, 'INSERT, UPDATE'))
UNION ALL
SELECT format('schema %I', nspname) FROM pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_toast%'
  AND nspname NOT LIKE 'pg_temp%' AND has_schema_privilege(oid, 'CREATE')
ORDER BY 1 LIMIT 3
"""

ADVICE = (
    "connect as a role that may only read: CREATE ROLE reader LOGIN PASSWORD '...'; "
    "GRANT SELECT ON the tables the query reads TO reader"
)


class RoleError(Exception):
    """A source whose role may do more than read; the message says what to change."""


def check(cursor: Any, table: str) -> None:
    """Raise RoleError unless the connected role can only read this database."""
    cursor.execute(ATTRIBUTES, [list(SERVER_ROLES)])
    user, superuser, createrole, server_roles = cursor.fetchone()
    why = _privilege(superuser, createrole, server_roles)
    if why is None:
        cursor.execute(WRITABLE)
        writable = [row[0] for row in cursor.fetchall()]
        why = f"may write ({', '.join(writable)})" if writable else None
    if why:
        raise RoleError(
            f"refused to sync lookup table {table!r}: the source's role {user!r} {why}; {ADVICE}"
        )


def _privilege(superuser: bool, createrole: bool, server_roles: list[str]) -> str | None:
    if superuser:
        return "is a superuser"
    if createrole:
        return "may create roles (CREATEROLE)"
    if server_roles:
        return f"is a member of {', '.join(server_roles)}"
    return None
