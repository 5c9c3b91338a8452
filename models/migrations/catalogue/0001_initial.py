from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ServiceItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('basic_code', fields.CharField(db_index=True, max_length=64)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.RESTRICT)),
                ('published_version_id', fields.IntField(null=True)),
                ('published', fields.BooleanField(default=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'service_item', 'app': 'catalogue', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ServiceItemVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('catalogue.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('name', fields.CharField(max_length=200)),
                ('item_type', fields.CharField(max_length=32)),
                ('legal_basis', fields.TextField(default='', unique=False)),
                ('conditions', fields.TextField(default='', unique=False)),
                ('materials', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('steps', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('special_stages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('legal_limit_days', fields.IntField()),
                ('promised_limit_days', fields.IntField()),
                ('fees', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fee_timing', fields.CharField(default='approval', max_length=16)),
                ('online_depth', fields.CharField(max_length=16)),
                ('visits', fields.IntField(default=0)),
                ('delivery_options', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('postage_fen', fields.IntField(default=0)),
                ('required_realname_level', fields.IntField(default=2)),
                ('channels', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('themes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('keywords', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('form_schema', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('consult_phone', fields.CharField(default='', max_length=64)),
                ('complaint_phone', fields.CharField(default='', max_length=64)),
                ('faq', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by', fields.IntField(null=True)),
            ],
            options={'table': 'service_item_version', 'app': 'catalogue', 'unique_together': (('item', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
