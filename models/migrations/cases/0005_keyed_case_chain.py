from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# The case timeline's chain becomes keyed (HMAC-SM3, app/cases/chain.py). Events already
# written keep key_id NULL: legacy links, plain SM3, which the audit accepts only under a keyed
# seal made once after this migration by `python -m app audit-chains --seal-legacy`.
class Migration(migrations.Migration):
    dependencies = [('cases', '0001_initial'), ('cases', '0002_supplement_deadlines'), ('cases', '0003_lookup_indexes'), ('cases', '0004_event_time_overdue_indexes'), ('catalogue', '0002_result_template_trust_levels'), ('core', '0001_initial'), ('identity', '0002_pii_read_case')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaseChainAudit',
            fields=[
                ('case', fields.OneToOneField('cases.Case', source_field='case_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='chain_audit', on_delete=OnDelete.CASCADE)),
                ('checked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('checked_seq', fields.IntField()),
                ('broken_seq', fields.IntField(null=True)),
                ('finding', fields.CharField(null=True, max_length=24)),
                ('legacy_seq', fields.IntField(default=0)),
                ('legacy_hash', fields.CharField(null=True, max_length=64)),
                ('legacy_mac', fields.CharField(null=True, max_length=64)),
                ('legacy_key_id', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'case_chain_audit', 'app': 'cases', 'indexes': [Index(fields=['broken_seq'])], 'pk_attr': 'case_id', 'table_description': 'What the last chain audit found for one case (``app/cases/chain_audit.py``), and the'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['department_id', 'id']),
        ),
        ops.AlterModelOptions(
            name='CaseEvent',
            options={'table': 'case_event', 'app': 'cases', 'unique_together': (('case', 'seq'),), 'indexes': [Index(fields=['at'])], 'pk_attr': 'id', 'table_description': 'One step of the timeline (全过程留痕). ``hash = HMAC-SM3(key, prev_hash ‖ canonical'},
        ),
        ops.AddField(
            model_name='CaseEvent',
            name='key_id',
            field=fields.CharField(null=True, max_length=16),
        ),
        ops.AlterModelOptions(
            name='CaseChainAudit',
            options={'table': 'case_chain_audit', 'app': 'cases', 'indexes': [Index(fields=['broken_seq'])], 'pk_attr': 'case_id', 'table_description': 'What the last chain audit found for one case (``app/cases/chain_audit.py``), and the'},
        ),
    ]
