from tortoise import migrations
from tortoise.migrations import operations as ops
from models.wechat import ConsentKind
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Follower',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(unique=True, max_length=64)),
                ('subscribed', fields.BooleanField(default=True)),
                ('scene', fields.CharField(null=True, max_length=64)),
                ('subscribed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('unsubscribed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_event_time', fields.BigIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'wechat_follower', 'app': 'wechat', 'pk_attr': 'id', 'table_description': 'Whether an openid follows the account: template messages need it (else 43004).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboundCallback',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=160)),
                ('openid', fields.CharField(default='', db_index=True, max_length=64)),
                ('msg_type', fields.CharField(default='', max_length=32)),
                ('event', fields.CharField(null=True, max_length=64)),
                ('mode', fields.CharField(max_length=8)),
                ('outcome', fields.CharField(default='accepted', max_length=16)),
                ('body', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'wechat_inbound_callback', 'app': 'wechat', 'pk_attr': 'id', 'table_description': 'One verified callback, stored raw as received, sealed with ``app.security.pii``.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscribeConsent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(max_length=64)),
                ('template_id', fields.CharField(max_length=128)),
                ('kind', fields.CharEnumField(default=ConsentKind.ONE_TIME, description='ONE_TIME: one_time\nLONG_TERM: long_term', enum_type=ConsentKind, max_length=16)),
                ('accepted', fields.BooleanField(default=True)),
                ('spent', fields.BooleanField(default=False)),
                ('decided_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('spent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_event_time', fields.BigIntField(default=0)),
            ],
            options={'table': 'wechat_subscribe_consent', 'app': 'wechat', 'unique_together': (('openid', 'template_id'),), 'pk_attr': 'id', 'table_description': 'What a user answered in a subscribe-message popup, per template.'},
            bases=['Model'],
        ),
    ]
