"""Database triggers that bump an account's revision numbers whenever its rules or lookup
tables change, however they change (admin, import, psql). Every worker polls these
numbers (autoreply/webhook/registry.py) and rebuilds its in-memory index when they move.

`revision` and `lookups_revision` belong to the database: a client's write of them is
ignored, so a stale model saved by the admin can never turn the clock back.
"""

from django.db import migrations

BUMP_FUNCTION = """
CREATE FUNCTION autoreply_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: the column to bump; TG_ARGV[1]: a query over the transition table
    -- `changed` that gives the affected account ids.
    EXECUTE format('UPDATE autoreply_account SET %1$I = %1$I + 1 WHERE id IN (%2$s)',
                   TG_ARGV[0], TG_ARGV[1]);
    RETURN NULL;
END $$;
"""

ACCOUNT_FUNCTION = """
CREATE FUNCTION autoreply_account_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN  -- a bump from autoreply_bump(): keep it
        RETURN NEW;
    END IF;
    NEW.lookups_revision := OLD.lookups_revision;
    NEW.revision := OLD.revision + CASE WHEN
        (NEW.slug, NEW.app_id, NEW.token, NEW.encoding_aes_key, NEW.previous_encoding_aes_key,
         NEW.encryption_mode)
        IS DISTINCT FROM
        (OLD.slug, OLD.app_id, OLD.token, OLD.encoding_aes_key, OLD.previous_encoding_aes_key,
         OLD.encryption_mode)
        THEN 1 ELSE 0 END;
    RETURN NEW;
END $$;
CREATE TRIGGER autoreply_account_revision BEFORE UPDATE ON autoreply_account
    FOR EACH ROW EXECUTE FUNCTION autoreply_account_revision();
"""

# table -> (column bumped, query from the changed rows to their account ids)
WATCHED = {
    "autoreply_rule": ("revision", "SELECT account_id FROM changed"),
    "autoreply_keyword": (
        "revision",
        "SELECT r.account_id FROM autoreply_rule r JOIN changed c ON c.rule_id = r.id",
    ),
    "autoreply_reply": (
        "revision",
        "SELECT r.account_id FROM autoreply_rule r JOIN changed c ON c.rule_id = r.id",
    ),
    "autoreply_article": (
        "revision",
        "SELECT r.account_id FROM autoreply_rule r JOIN autoreply_reply p ON p.rule_id = r.id "
        "JOIN changed c ON c.reply_id = p.id",
    ),
    "autoreply_lookuptable": ("lookups_revision", "SELECT account_id FROM changed"),
    "autoreply_lookupentry": (
        "lookups_revision",
        "SELECT t.account_id FROM autoreply_lookuptable t JOIN changed c ON c.table_id = t.id",
    ),
}
# Transition tables allow one event per trigger: the rows after INSERT/UPDATE, before DELETE.
EVENTS = (("insert", "NEW"), ("update", "NEW"), ("delete", "OLD"))


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def triggers():
    for table, (column, query) in WATCHED.items():
        for event, side in EVENTS:
            yield (
                f"CREATE TRIGGER {table}_{event}_bump AFTER {event.upper()} ON {table} "
                f"REFERENCING {side} TABLE AS changed FOR EACH STATEMENT "
                f"EXECUTE FUNCTION autoreply_bump({quote(column)}, {quote(query)});",
                f"DROP TRIGGER {table}_{event}_bump ON {table};",
            )


class Migration(migrations.Migration):
    dependencies = [("autoreply", "0001_initial")]

    operations = [
        migrations.RunSQL(BUMP_FUNCTION, "DROP FUNCTION autoreply_bump();"),
        migrations.RunSQL(
            ACCOUNT_FUNCTION,
            "DROP TRIGGER autoreply_account_revision ON autoreply_account;"
            "DROP FUNCTION autoreply_account_revision();",
        ),
        *(migrations.RunSQL(create, drop) for create, drop in triggers()),
    ]
