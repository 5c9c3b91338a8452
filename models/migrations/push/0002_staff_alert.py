from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('push', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffAlert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.BigIntField(unique=True)),
                ('department_id', fields.IntField(null=True)),
                ('kind', fields.CharField(max_length=64)),
                ('severity', fields.CharField(max_length=8)),
                ('title', fields.CharField(max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('case_id', fields.IntField(null=True)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('acknowledged_by', fields.IntField(null=True)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'push_staff_alert', 'app': 'push', 'indexes': [Index(fields=['department_id', 'acknowledged_at', 'id'])], 'pk_attr': 'id', 'table_description': 'Something a department must act on (a case running late, a 补正 left unanswered after'},
            bases=['Model'],
        ),
    ]
