from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.jobs import JobState
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='PlatformJob',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('edge', fields.CharField(max_length=16)),
                ('kind', fields.CharField(max_length=32)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('department_id', fields.IntField(null=True)),
                ('state', fields.CharEnumField(default=JobState.queued, description='queued: queued\nsending: sending\ndone: done\ndead: dead', enum_type=JobState, max_length=8)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('last_error', fields.CharField(null=True, max_length=255)),
                ('response', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('event_id', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'platform_job', 'app': 'jobs', 'indexes': [Index(fields=['state', 'next_attempt_at']), Index(fields=['department_id', 'state', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
