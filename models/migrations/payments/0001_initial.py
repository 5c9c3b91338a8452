from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.payments import Anomaly, OrderStatus, RefundStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0001_initial'), ('identity', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='PaymentNotify',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=16)),
                ('notify_id', fields.CharField(null=True, max_length=128)),
                ('out_trade_no', fields.CharField(null=True, db_index=True, max_length=64)),
                ('kind', fields.CharField(null=True, max_length=16)),
                ('headers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('body', fields.TextField(unique=False)),
                ('verified', fields.BooleanField(default=False)),
                ('error', fields.CharField(null=True, max_length=255)),
                ('outcome', fields.CharField(default='received', max_length=24)),
                ('deliveries', fields.IntField(default=1)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_notify', 'app': 'payments', 'unique_together': (('channel', 'notify_id'),), 'pk_attr': 'id', 'table_description': 'Every notify as it arrived, before it was believed, with what became of it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentOrder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('out_trade_no', fields.CharField(unique=True, max_length=32)),
                ('case', fields.ForeignKeyField('cases.Case', source_field='case_id', db_constraint=True, to_field='id', related_name='payment_orders', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='payment_orders', on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharField(max_length=16)),
                ('scene', fields.CharField(max_length=16)),
                ('subject', fields.CharField(max_length=128)),
                ('amount_fen', fields.IntField()),
                ('status', fields.CharEnumField(default=OrderStatus.pending, description='pending: pending\npaid: paid\nclosed: closed\nrefunded: refunded', enum_type=OrderStatus, max_length=16)),
                ('anomaly', fields.CharEnumField(null=True, description='paid_after_close: paid_after_close\nduplicate_payment: duplicate_payment', enum_type=Anomaly, max_length=32)),
                ('payer_id', fields.CharField(null=True, max_length=128)),
                ('transaction_id', fields.CharField(null=True, max_length=64)),
                ('pay_params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('refunded_fen', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'payment_order', 'app': 'payments', 'indexes': [Index(fields=['status', 'expires_at']), Index(fields=['case_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('payments.PaymentOrder', source_field='order_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('from_status', fields.CharField(null=True, max_length=24)),
                ('to_status', fields.CharField(max_length=24)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_event', 'app': 'payments', 'pk_attr': 'id', 'table_description': 'A status change of an order (or one of its refunds): who, when, from, to, why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PaymentOrderItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('payments.PaymentOrder', source_field='order_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=128)),
                ('amount_fen', fields.IntField()),
                ('nontax_code', fields.CharField(default='', max_length=64)),
                ('collecting_unit_code', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'payment_order_item', 'app': 'payments', 'pk_attr': 'id', 'table_description': 'One fee line (非税收入): 执收单位编码 and 项目编码 as the catalogue gave them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Receipt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.OneToOneField('payments.PaymentOrder', source_field='order_id', db_constraint=True, to_field='id', related_name='receipt', on_delete=OnDelete.RESTRICT)),
                ('person_id', fields.IntField(db_index=True)),
                ('number', fields.CharField(unique=True, max_length=32)),
                ('code', fields.CharField(max_length=16)),
                ('check_code', fields.CharField(max_length=16)),
                ('payer_name_enc', fields.TextField(null=True, unique=False)),
                ('payee', fields.CharField(max_length=128)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('amount_fen', fields.IntField()),
                ('status', fields.CharField(default='issued', max_length=16)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_receipt', 'app': 'payments', 'pk_attr': 'id', 'table_description': '财政电子票据 for one paid order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReconciliationRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=16)),
                ('bill_date', fields.CharField(max_length=10)),
                ('status', fields.CharField(default='running', max_length=16)),
                ('counts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('error', fields.TextField(null=True, unique=False)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_recon_run', 'app': 'payments', 'unique_together': (('channel', 'bill_date'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReconciliationMismatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('payments.ReconciliationRun', source_field='run_id', db_constraint=True, to_field='id', related_name='mismatches', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=24)),
                ('out_trade_no', fields.CharField(max_length=64)),
                ('out_refund_no', fields.CharField(null=True, max_length=64)),
                ('local_fen', fields.IntField(null=True)),
                ('platform_fen', fields.IntField(null=True)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('resolved', fields.BooleanField(default=False)),
                ('resolved_by', fields.IntField(null=True)),
                ('note', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payment_recon_mismatch', 'app': 'payments', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Refund',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('payments.PaymentOrder', source_field='order_id', db_constraint=True, to_field='id', related_name='refunds', on_delete=OnDelete.RESTRICT)),
                ('out_refund_no', fields.CharField(unique=True, max_length=64)),
                ('amount_fen', fields.IntField()),
                ('reason', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=RefundStatus.pending, description='pending: pending\nprocessing: processing\nsucceeded: succeeded\nfailed: failed', enum_type=RefundStatus, max_length=16)),
                ('automatic', fields.BooleanField(default=False)),
                ('requested_by', fields.IntField(null=True)),
                ('platform_refund_id', fields.CharField(null=True, max_length=64)),
                ('error', fields.CharField(null=True, max_length=255)),
                ('attempts', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'payment_refund', 'app': 'payments', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
