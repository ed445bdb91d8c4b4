"""Rules that know the time: `active_from` / `active_until` and a weekly `schedule` (a JSON
list of {"days", "from", "to"}). Nullable columns and one with a constant default: adding
them rewrites no rows. The schedule keeps its default in the database too, so the old code
still running during a rolling deploy (its INSERTs do not name the column) can save rules."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("autoreply", "0005_outbound")]

    operations = [
        migrations.AddField(
            model_name="rule",
            name="active_from",
            field=models.DateTimeField(blank=True, null=True, verbose_name="active from"),
        ),
        migrations.AddField(
            model_name="rule",
            name="active_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="active until"),
        ),
        migrations.AddField(
            model_name="rule",
            name="schedule",
            field=models.JSONField(blank=True, default=list, verbose_name="weekly schedule"),
        ),
        migrations.RunSQL(
            "ALTER TABLE autoreply_rule ALTER COLUMN schedule SET DEFAULT '[]'::jsonb;",
            "ALTER TABLE autoreply_rule ALTER COLUMN schedule DROP DEFAULT;",
        ),
    ]
