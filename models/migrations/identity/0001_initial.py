from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phone_enc', fields.TextField(null=True, unique=False)),
                ('phone_bidx', fields.CharField(null=True, unique=True, max_length=64)),
                ('name_enc', fields.TextField(null=True, unique=False)),
                ('id_number_enc', fields.TextField(null=True, unique=False)),
                ('id_number_bidx', fields.CharField(null=True, unique=True, max_length=64)),
                ('realname_level', fields.IntField(default=0)),
                ('realname_source', fields.CharField(null=True, max_length=32)),
                ('realname_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='active', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'identity', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChannelAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=16)),
                ('subject', fields.CharField(max_length=128)),
                ('union_id', fields.CharField(null=True, db_index=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'channel_account', 'app': 'identity', 'unique_together': (('channel', 'subject'),), 'pk_attr': 'id', 'table_description': 'A login identity in one channel: app phone, WeChat openid, Alipay user id / open id.'},
            bases=['Model'],
        ),
    ]
