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
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('link', fields.CharField(null=True, max_length=255)),
                ('audience', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('rate_limits', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('scheduled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='draft', max_length=16)),
                ('total', fields.IntField(default=0)),
                ('expanded', fields.IntField(default=0)),
                ('cursor', fields.BigIntField(default=0)),
                ('created_by', fields.IntField()),
                ('department_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'push_campaign', 'app': 'push', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CampaignRecipient',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('campaign', fields.ForeignKeyField('push.Campaign', source_field='campaign_id', db_constraint=True, to_field='id', related_name='recipients', on_delete=OnDelete.CASCADE)),
                ('person_id', fields.IntField()),
            ],
            options={'table': 'push_campaign_recipient', 'app': 'push', 'unique_together': (('campaign_id', 'person_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Device',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.IntField(db_index=True)),
                ('registration_id', fields.CharField(unique=True, max_length=128)),
                ('platform', fields.CharField(default='android', max_length=16)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'push_device', 'app': 'push', 'pk_attr': 'id', 'table_description': 'An app installation registered for push (JPush registration id).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=96)),
                ('person_id', fields.IntField(db_index=True)),
                ('event_type', fields.CharField(max_length=64)),
                ('priority', fields.CharField(max_length=8)),
                ('title', fields.CharField(max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('link', fields.CharField(null=True, max_length=255)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('route', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('campaign_id', fields.IntField(null=True, db_index=True)),
                ('event_id', fields.BigIntField(null=True)),
                ('event_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'push_notification', 'app': 'push', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notification', fields.ForeignKeyField('push.Notification', source_field='notification_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=24)),
                ('step', fields.SmallIntField(default=0)),
                ('recipient', fields.TextField(unique=False)),
                ('state', fields.CharField(default='queued', max_length=16)),
                ('rank', fields.SmallIntField(default=1)),
                ('campaign_id', fields.IntField(null=True, db_index=True)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=64)),
                ('platform_message_id', fields.CharField(null=True, max_length=128)),
                ('raw_code', fields.CharField(null=True, max_length=64)),
                ('detail', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'push_delivery', 'app': 'push', 'unique_together': (('notification_id', 'channel'),), 'indexes': [Index(fields=['rank', 'next_attempt_at']), Index(fields=['channel', 'platform_message_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.IntField()),
                ('notification', fields.OneToOneField('push.Notification', source_field='notification_id', db_constraint=True, to_field='id', related_name='inbox', on_delete=OnDelete.CASCADE)),
                ('category', fields.CharField(max_length=64)),
                ('title', fields.CharField(max_length=128)),
                ('body', fields.TextField(unique=False)),
                ('link', fields.CharField(null=True, max_length=255)),
                ('case_id', fields.IntField(null=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'push_inbox', 'app': 'push', 'indexes': [Index(fields=['person_id', 'id']), Index(fields=['person_id', 'read_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Preference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.IntField(unique=True)),
                ('mute_normal', fields.BooleanField(default=False)),
                ('mute_bulk', fields.BooleanField(default=False)),
                ('disabled_channels', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'push_preference', 'app': 'push', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
