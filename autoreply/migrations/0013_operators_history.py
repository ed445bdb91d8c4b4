"""Who sees what, and history: each account's operators (staff users who see only their
accounts in the admin), and the recorded versions of rules and lookup tables
(autoreply/history). No data is moved: a rule's state before its first recorded change
is recorded when that change comes."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('autoreply', '0012_pending_upload'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='account',
            name='operators',
            field=models.ManyToManyField(blank=True, help_text="Staff users who see and edit this account's rules, messages, followers, lookup tables and media, and nothing of other accounts. Superusers see every account.", limit_choices_to={'is_staff': True}, related_name='autoreply_accounts', to=settings.AUTH_USER_MODEL, verbose_name='operators'),
        ),
        migrations.CreateModel(
            name='LookupVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('before', 'as found before its first recorded change'), ('created', 'added'), ('changed', 'edited'), ('deleted', 'deleted')], max_length=8, verbose_name='change')),
                ('source', models.CharField(choices=[('admin', 'the admin'), ('import', 'an import'), ('command', 'a command'), ('sync', 'a sync from its source'), ('restore', 'a restore')], max_length=8, verbose_name='source')),
                ('detail', models.CharField(blank=True, max_length=255, verbose_name='detail')),
                ('changed_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='changed at')),
                ('name', models.CharField(max_length=64, verbose_name='table name')),
                ('description', models.CharField(blank=True, max_length=255, verbose_name='description')),
                ('changes', models.JSONField(default=dict, verbose_name='changes by key')),
                ('added', models.PositiveIntegerField(default=0, verbose_name='entries added')),
                ('changed', models.PositiveIntegerField(default=0, verbose_name='entries changed')),
                ('removed', models.PositiveIntegerField(default=0, verbose_name='entries removed')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='autoreply.account', verbose_name='account')),
                ('table', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='versions', to='autoreply.lookuptable', verbose_name='lookup table')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'lookup table version',
                'verbose_name_plural': 'lookup table history',
                'ordering': ['-id'],
                'abstract': False,
                'indexes': [models.Index(fields=['table', '-id'], name='lookup_versions')],
            },
        ),
        migrations.CreateModel(
            name='RuleVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('before', 'as found before its first recorded change'), ('created', 'added'), ('changed', 'edited'), ('deleted', 'deleted')], max_length=8, verbose_name='change')),
                ('source', models.CharField(choices=[('admin', 'the admin'), ('import', 'an import'), ('command', 'a command'), ('sync', 'a sync from its source'), ('restore', 'a restore')], max_length=8, verbose_name='source')),
                ('detail', models.CharField(blank=True, max_length=255, verbose_name='detail')),
                ('changed_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='changed at')),
                ('name', models.CharField(max_length=100, verbose_name='rule name')),
                ('data', models.JSONField(verbose_name='the rule')),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='autoreply.account', verbose_name='account')),
                ('rule', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='versions', to='autoreply.rule', verbose_name='rule')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'rule version',
                'verbose_name_plural': 'rule history',
                'ordering': ['-id'],
                'abstract': False,
                'indexes': [models.Index(fields=['rule', '-id'], name='rule_versions')],
            },
        ),
    ]
