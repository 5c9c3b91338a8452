from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.bundles import ApplicationStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('reforms', '0002_appointments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Bundle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('lead_department_id', fields.IntField(db_index=True)),
                ('published_version_id', fields.IntField(null=True)),
                ('published', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reform_bundle', 'app': 'reforms', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('bundle_id', fields.IntField()),
                ('bundle_version_id', fields.IntField()),
                ('bundle_name', fields.CharField(max_length=200)),
                ('lead_department_id', fields.IntField(db_index=True)),
                ('person_id', fields.IntField(db_index=True)),
                ('company_id', fields.IntField(null=True)),
                ('selectors', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=ApplicationStatus.draft, description='draft: draft\nsubmitted: submitted\nwithdrawn: withdrawn', enum_type=ApplicationStatus, max_length=16)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reform_bundle_application', 'app': 'reforms', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application_id', fields.IntField(db_index=True)),
                ('case_id', fields.IntField(unique=True)),
                ('item_code', fields.CharField(max_length=64)),
                ('department_id', fields.IntField()),
                ('position', fields.IntField()),
            ],
            options={'table': 'reform_bundle_member', 'app': 'reforms', 'pk_attr': 'id', 'table_description': 'One member case of an application.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BundleVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bundle', fields.ForeignKeyField('reforms.Bundle', source_field='bundle_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('name', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('keywords', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('members', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('selectors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('field_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('shared_materials', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reform_bundle_version', 'app': 'reforms', 'unique_together': (('bundle', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
