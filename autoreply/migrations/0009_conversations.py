"""Conversations: a rule's `requires_context`, `sets_context` and `clears_context`; the
follower's context (its name, until when, and the CreateTime of the push that set it);
the context each message arrived in. Nullable columns and constant defaults: adding them
rewrites no rows, and the defaults stay in the database, so the old code still running
during a rolling deploy (its INSERTs do not name the columns) can save rules and messages."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("autoreply", "0008_message_partitions")]

    operations = [
        migrations.AddField(
            model_name="rule",
            name="requires_context",
            field=models.CharField(
                blank=True,
                default="",
                help_text=(
                    "Answer only a follower who is in this conversation (started by another "
                    "rule); empty: answer everyone."
                ),
                max_length=64,
                verbose_name="only in the conversation",
            ),
        ),
        migrations.AddField(
            model_name="rule",
            name="sets_context",
            field=models.JSONField(
                blank=True,
                default=None,
                null=True,
                help_text=(
                    "When this rule answers, the follower is in this conversation for so many "
                    "seconds (replacing any other), so that rules only in it answer their next "
                    "messages."
                ),
                verbose_name="starts the conversation",
            ),
        ),
        migrations.AddField(
            model_name="rule",
            name="clears_context",
            field=models.BooleanField(
                default=False,
                help_text="When this rule answers, the follower's conversation ends.",
                verbose_name="ends the conversation",
            ),
        ),
        migrations.RunSQL(
            "ALTER TABLE autoreply_rule ALTER COLUMN requires_context SET DEFAULT '', "
            "ALTER COLUMN clears_context SET DEFAULT false;",
            "ALTER TABLE autoreply_rule ALTER COLUMN requires_context DROP DEFAULT, "
            "ALTER COLUMN clears_context DROP DEFAULT;",
        ),
        migrations.AddField(
            model_name="follower",
            name="context",
            field=models.CharField(
                blank=True, db_default="", max_length=64, verbose_name="conversation"
            ),
        ),
        migrations.AddField(
            model_name="follower",
            name="context_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="conversation until"),
        ),
        migrations.AddField(
            model_name="follower",
            name="context_since",
            field=models.BigIntegerField(db_default=0, editable=False),
        ),
        migrations.AddField(
            model_name="message",
            name="context",
            field=models.CharField(
                blank=True,
                db_default="",
                help_text="The follower's conversation when the message arrived.",
                max_length=64,
                verbose_name="conversation",
            ),
        ),
    ]
