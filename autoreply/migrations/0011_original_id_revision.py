"""An operator's correction of an account's original ID moves its revision, so every
worker reloads the account (before, only the credentials did: see 0002). Learning it
from the first push (empty -> gh_...) does not: the worker that learned it knows, and a
rebuild of every worker's rules for it would be wasted."""

from django.db import migrations

CREDENTIALS = (
    "@slug, @app_id, @token, @encoding_aes_key, @previous_encoding_aes_key, @encryption_mode"
)
CORRECTED = "OLD.original_id <> '' AND NEW.original_id IS DISTINCT FROM OLD.original_id"


def account_function(corrected: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION autoreply_account_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN  -- a bump from autoreply_bump(): keep it
        RETURN NEW;
    END IF;
    NEW.lookups_revision := OLD.lookups_revision;
    NEW.revision := OLD.revision + CASE WHEN
        ({CREDENTIALS.replace("@", "NEW.")}) IS DISTINCT FROM ({CREDENTIALS.replace("@", "OLD.")})
        OR {corrected}
        THEN 1 ELSE 0 END;
    RETURN NEW;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("autoreply", "0010_outbound_plural")]

    operations = [migrations.RunSQL(account_function(CORRECTED), account_function("false"))]
