from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.handling import DocumentKind, SignoffStep
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0004_event_time_overdue_indexes'), ('catalogue', '0001_initial'), ('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CaseChain',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.OneToOneField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='chain', on_delete=OnDelete.CASCADE)),
                ('steps', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('round', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_chain', 'app': 'handling', 'pk_attr': 'id', 'table_description': 'The chain a case signs on, copied from its item at the first signature, so that editing'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseHandler',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.OneToOneField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='handler', on_delete=OnDelete.CASCADE)),
                ('staff', fields.ForeignKeyField('core.StaffAccount', source_field='staff_id', db_constraint=True, to_field='id', related_name='handled_cases', on_delete=OnDelete.RESTRICT)),
                ('assigned_by', fields.IntField()),
                ('assigned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'case_handler', 'app': 'handling', 'indexes': [Index(fields=['staff_id', 'case_id'])], 'pk_attr': 'id', 'table_description': '承办人: the one staff member of the department of a case who handles it now.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseSignoff',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='signoffs', on_delete=OnDelete.CASCADE)),
                ('round', fields.IntField()),
                ('step', fields.IntField()),
                ('name', fields.CharField(max_length=32)),
                ('role', fields.CharField(max_length=16)),
                ('staff_id', fields.IntField()),
                ('staff_name', fields.CharField(max_length=64)),
                ('decision', fields.CharEnumField(description='approve: approve\ndeny: deny\nback: return', enum_type=SignoffStep, max_length=8)),
                ('opinion', fields.TextField(default='', unique=False)),
                ('legal_basis', fields.TextField(default='', unique=False)),
                ('event_seq', fields.IntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'case_signoff', 'app': 'handling', 'unique_together': (('case', 'round', 'step'),), 'pk_attr': 'id', 'table_description': 'One signature on one step of the chain of a case, with the timeline event it wrote.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DecisionDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='acceptance: acceptance\nsupplement: supplement\nrefusal: refusal\napproval: approval\ndenial: denial', enum_type=DocumentKind, max_length=16)),
                ('ref', fields.IntField(default=0)),
                ('number', fields.CharField(unique=True, max_length=64)),
                ('title', fields.CharField(max_length=64)),
                ('blob_key', fields.CharField(max_length=128)),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('content', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('issued_by', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'decision_document', 'app': 'handling', 'unique_together': (('case', 'kind', 'ref'),), 'pk_attr': 'id', 'table_description': 'A document issued on a case, its PDF kept as a blob.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SignoffChain',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.OneToOneField('catalogue.ServiceItem', source_field='item_id', db_constraint=True, to_field='id', related_name='signoff_chain', on_delete=OnDelete.CASCADE)),
                ('steps', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_by', fields.IntField()),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'signoff_chain', 'app': 'handling', 'pk_attr': 'id', 'table_description': 'The sign-off chain of an item, e.g. 承办 → 审核 → 批准, its steps in order.'},
            bases=['Model'],
        ),
    ]
