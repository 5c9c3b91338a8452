from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.appointments import AppointmentStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('reforms', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Appointment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('slot_id', fields.IntField(db_index=True)),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField()),
                ('person_id', fields.IntField(db_index=True)),
                ('item_id', fields.IntField()),
                ('item_name', fields.CharField(max_length=200)),
                ('case_id', fields.IntField(null=True)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=AppointmentStatus.booked, description='booked: booked\ncancelled: cancelled\nchecked_in: checked_in\nno_show: no_show', enum_type=AppointmentStatus, max_length=16)),
                ('active_key', fields.CharField(null=True, unique=True, max_length=32)),
                ('booked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('cancelled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_in_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_in_by', fields.IntField(null=True)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('no_show_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reform_appointment', 'app': 'reforms', 'indexes': [Index(fields=['status', 'starts_at']), Index(fields=['hall_id', 'starts_at']), Index(fields=['person_id', 'no_show_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AppointmentSlot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hall_id', fields.IntField()),
                ('department_id', fields.IntField()),
                ('item_id', fields.IntField(default=0)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('capacity', fields.IntField()),
                ('booked', fields.IntField(default=0)),
            ],
            options={'table': 'reform_appointment_slot', 'app': 'reforms', 'unique_together': (('hall_id', 'item_id', 'starts_at'),), 'indexes': [Index(fields=['department_id', 'starts_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Hall',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('department_id', fields.IntField(db_index=True)),
                ('address', fields.CharField(default='', max_length=200)),
                ('windows', fields.IntField(default=1)),
                ('opening', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('slot_minutes', fields.IntField(default=30)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reform_hall', 'app': 'reforms', 'pk_attr': 'id', 'table_description': 'A service hall (政务服务大厅) of a department.'},
            bases=['Model'],
        ),
    ]
