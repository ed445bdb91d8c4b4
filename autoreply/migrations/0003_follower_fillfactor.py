"""Room on each page of autoreply_follower for the row versions every message writes, so
PostgreSQL can update followers in place (HOT) instead of touching their indexes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("autoreply", "0002_revision_triggers")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE autoreply_follower SET (fillfactor = 80);",
            "ALTER TABLE autoreply_follower RESET (fillfactor);",
        ),
    ]
