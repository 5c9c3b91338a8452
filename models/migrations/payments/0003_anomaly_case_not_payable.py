from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.payments import Anomaly

# the CharEnumField's description lists the members, so a new member alters the field; on
# SQLite that rebuilds the table without its secondary indexes, which are made again here
INDEXES = (
    ('idx_payment_ord_status_52c4c2', '"status", "expires_at"'),
    ('idx_payment_ord_case_id_129a2b', '"case_id", "status"'),
)


class Migration(migrations.Migration):
    dependencies = [('cases', '0003_lookup_indexes'), ('identity', '0001_initial'), ('payments', '0002_refund_transaction_id')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='PaymentOrder',
            name='anomaly',
            field=fields.CharEnumField(null=True, description='paid_after_close: paid_after_close\nduplicate_payment: duplicate_payment\ncase_not_payable: case_not_payable', enum_type=Anomaly, max_length=32),
        ),
        *(
            ops.RunSQL(f'CREATE INDEX IF NOT EXISTS "{name}" ON "payment_order" ({cols})',
                       reverse_sql='SELECT 1')
            for name, cols in INDEXES
        ),
    ]
