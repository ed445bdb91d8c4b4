"""The message log's and the followers' references to accounts and rules are no longer
checked by the database (autoreply/stored/traffic.py says why). Dropping the constraints
takes each table's lock for a moment; the code before this one does not need them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('autoreply', '0013_operators_history'),
    ]

    operations = [
        migrations.AlterField(
            model_name='follower',
            name='account',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='followers', to='autoreply.account', verbose_name='account'),
        ),
        migrations.AlterField(
            model_name='message',
            name='account',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='autoreply.account', verbose_name='account'),
        ),
        migrations.AlterField(
            model_name='message',
            name='rule',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='autoreply.rule', verbose_name='rule'),
        ),
    ]
