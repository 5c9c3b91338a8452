from tortoise import migrations
from tortoise.migrations import operations as ops
from models.reforms import PledgeStatus, ToleranceStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='CreditRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person_id', fields.IntField(db_index=True)),
                ('company_id', fields.IntField(null=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('case_id', fields.IntField()),
                ('case_no', fields.CharField(max_length=32)),
                ('item_name', fields.CharField(max_length=200)),
                ('pledge_id', fields.IntField(unique=True)),
                ('department_id', fields.IntField()),
                ('note', fields.TextField(unique=False)),
                ('recorded_by', fields.IntField()),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reform_credit_record', 'app': 'reforms', 'pk_attr': 'id', 'table_description': '信用记录: a fact staff of every department may read (a false pledge).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Pledge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_id', fields.IntField(db_index=True)),
                ('department_id', fields.IntField()),
                ('person_id', fields.IntField(db_index=True)),
                ('company_id', fields.IntField(null=True)),
                ('material_code', fields.CharField(max_length=64)),
                ('material_name', fields.CharField(max_length=200)),
                ('text', fields.TextField(unique=False)),
                ('text_version', fields.IntField()),
                ('text_sha256', fields.CharField(max_length=64)),
                ('realname_level', fields.IntField()),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=PledgeStatus.signed, description='signed: signed\nchecking: checking\nconfirmed: confirmed\nfalse: false\nvoid: void', enum_type=PledgeStatus, max_length=16)),
                ('check_workdays', fields.IntField()),
                ('check_due', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_by', fields.IntField(null=True)),
                ('checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finding', fields.TextField(null=True, unique=False)),
                ('consequence', fields.CharField(null=True, max_length=16)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reform_pledge', 'app': 'reforms', 'unique_together': (('case_id', 'material_code'),), 'indexes': [Index(fields=['department_id', 'status', 'check_due']), Index(fields=['status', 'check_due'])], 'pk_attr': 'id', 'table_description': '告知承诺书 signed by the applicant for one material of one case.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ToleratedMaterial',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case_id', fields.IntField(db_index=True)),
                ('department_id', fields.IntField()),
                ('person_id', fields.IntField()),
                ('material_code', fields.CharField(max_length=64)),
                ('material_name', fields.CharField(max_length=200)),
                ('hold', fields.CharField(max_length=16)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=ToleranceStatus.outstanding, description='outstanding: outstanding\nsupplied: supplied', enum_type=ToleranceStatus, max_length=16)),
                ('material_id', fields.IntField(null=True)),
                ('supplied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reform_tolerated_material', 'app': 'reforms', 'unique_together': (('case_id', 'material_code'),), 'indexes': [Index(fields=['status', 'due_at'])], 'pk_attr': 'id', 'table_description': 'A material the case was accepted without (容缺受理), with its 补齐 deadline.'},
            bases=['Model'],
        ),
    ]
