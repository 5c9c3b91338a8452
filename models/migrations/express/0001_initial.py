from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.express import Direction, ShipmentState, SubscriptionState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CallbackLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.CharField(max_length=32)),
                ('body', fields.TextField(unique=False)),
                ('verified', fields.BooleanField(default=False)),
                ('outcome', fields.CharField(default='received', max_length=16)),
                ('waybill_no', fields.CharField(null=True, max_length=64)),
                ('error', fields.CharField(null=True, max_length=255)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'express_callback_log', 'app': 'express', 'pk_attr': 'id', 'table_description': 'Every inbound push as received, before anything is believed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.OneToOneField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='delivery_preference', on_delete=OnDelete.CASCADE)),
                ('method', fields.CharField(default='express', max_length=16)),
                ('receiver_name', fields.TextField(unique=False)),
                ('receiver_phone', fields.TextField(unique=False)),
                ('receiver_address', fields.TextField(unique=False)),
                ('pickup_materials', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'express_delivery_preference', 'app': 'express', 'pk_attr': 'id', 'table_description': "The citizen's choice of 快递送达 for a case's result, and of 上门揽收 of materials."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Shipment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('person_id', fields.IntField(db_index=True)),
                ('department_id', fields.IntField(db_index=True)),
                ('direction', fields.CharEnumField(description='result_delivery: result_delivery\nmaterial_pickup: material_pickup', enum_type=Direction, max_length=16)),
                ('carrier', fields.CharField(max_length=32)),
                ('waybill_no', fields.CharField(max_length=64)),
                ('order_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('booked', fields.BooleanField(default=False)),
                ('state', fields.CharEnumField(default=ShipmentState.created, description='created: created\ncollected: collected\nin_transit: in_transit\nout_for_delivery: out_for_delivery\nsigned: signed\ntrouble: trouble\nrefused: refused\nreturning: returning\nreturned: returned\nhall_pickup: hall_pickup\ncancelled: cancelled', enum_type=ShipmentState, max_length=24)),
                ('receiver_name', fields.TextField(unique=False)),
                ('receiver_phone', fields.TextField(unique=False)),
                ('receiver_address', fields.TextField(unique=False)),
                ('subscription', fields.CharEnumField(default=SubscriptionState.pending, description='pending: pending\nactive: active\naborted: aborted\nended: ended', enum_type=SubscriptionState, max_length=16)),
                ('subscription_error', fields.CharField(null=True, max_length=255)),
                ('subscribed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_event_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('checked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('citizen_choice', fields.CharField(null=True, max_length=16)),
                ('created_by', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'express_shipment', 'app': 'express', 'unique_together': (('carrier', 'waybill_no'),), 'indexes': [Index(fields=['state', 'checked_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShipmentEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment', fields.ForeignKeyField('express.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('from_state', fields.CharField(null=True, max_length=24)),
                ('to_state', fields.CharField(max_length=24)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'express_shipment_event', 'app': 'express', 'pk_attr': 'id', 'table_description': 'State log (全过程留痕): who moved the shipment from what to what, and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TrackingEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment', fields.ForeignKeyField('express.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='tracking', on_delete=OnDelete.CASCADE)),
                ('time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('context', fields.CharField(max_length=500)),
                ('state', fields.CharField(max_length=24)),
                ('raw_state', fields.CharField(null=True, max_length=16)),
                ('area', fields.CharField(null=True, max_length=128)),
                ('source', fields.CharField(default='push', max_length=16)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'express_tracking_event', 'app': 'express', 'unique_together': (('shipment', 'time', 'context'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
