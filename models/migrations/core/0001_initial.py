from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('action', fields.CharField(max_length=64)),
                ('target', fields.CharField(default='', max_length=128)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('request_id', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_log', 'app': 'core', 'indexes': [Index(fields=['actor_kind', 'actor_id'])], 'pk_attr': 'id', 'table_description': 'Who did what to whom: staff actions, reads of unmasked personal data, campaigns.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Department',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=128)),
                ('region_code', fields.CharField(default='', max_length=12)),
                ('phone', fields.CharField(default='', max_length=64)),
                ('address', fields.CharField(default='', max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'department', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_type', fields.CharField(max_length=64)),
                ('aggregate', fields.CharField(max_length=32)),
                ('aggregate_id', fields.CharField(max_length=64)),
                ('person_id', fields.IntField(null=True, db_index=True)),
                ('priority', fields.CharField(default='normal', max_length=8)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('available_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
            ],
            options={'table': 'outbox_event', 'app': 'core', 'indexes': [Index(fields=['processed_at', 'priority', 'id'])], 'pk_attr': 'id', 'table_description': 'A domain event written in the same transaction as the state change that caused it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('family_id', fields.CharField(db_index=True, max_length=32)),
                ('subject_kind', fields.CharField(max_length=8)),
                ('subject_id', fields.IntField()),
                ('channel', fields.CharField(default='app', max_length=16)),
                ('device', fields.CharField(null=True, max_length=128)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rotated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_reason', fields.CharField(null=True, max_length=32)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refresh_token', 'app': 'core', 'indexes': [Index(fields=['subject_kind', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'A refresh token, stored as a hash. Tokens of one login form a family: reusing a rotated'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=64)),
                ('display_name', fields.CharField(max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('roles', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('active', fields.BooleanField(default=True)),
                ('failed_logins', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_account', 'app': 'core', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
