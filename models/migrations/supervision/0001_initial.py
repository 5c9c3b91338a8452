from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='DailyFigures',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField()),
                ('department_id', fields.IntField()),
                ('item_id', fields.IntField()),
                ('received', fields.IntField(default=0)),
                ('received_online', fields.IntField(default=0)),
                ('accepted', fields.IntField(default=0)),
                ('refused', fields.IntField(default=0)),
                ('approved', fields.IntField(default=0)),
                ('denied', fields.IntField(default=0)),
                ('completed', fields.IntField(default=0)),
                ('withdrawn', fields.IntField(default=0)),
                ('decided_on_time', fields.IntField(default=0)),
                ('decided_late', fields.IntField(default=0)),
                ('days_used_sum', fields.IntField(default=0)),
                ('days_promised_sum', fields.IntField(default=0)),
                ('supplemented', fields.IntField(default=0)),
                ('second_supplements', fields.IntField(default=0)),
                ('fees_collected_fen', fields.BigIntField(default=0)),
                ('fees_refunded_fen', fields.BigIntField(default=0)),
                ('ratings', fields.IntField(default=0)),
                ('rating_level_sum', fields.IntField(default=0)),
                ('ratings_bad', fields.IntField(default=0)),
                ('complaints', fields.IntField(default=0)),
            ],
            options={'table': 'supervision_daily', 'app': 'supervision', 'unique_together': (('day', 'department_id', 'item_id'),), 'indexes': [Index(fields=['department_id', 'day'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RolledDay',
            fields=[
                ('day', fields.DateField(primary_key=True, unique=True, db_index=True)),
                ('rows', fields.IntField()),
                ('rolled_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'supervision_rolled_day', 'app': 'supervision', 'pk_attr': 'day', 'table_description': 'A day whose daily figures are final (rolled up after the day ended).'},
            bases=['Model'],
        ),
    ]
