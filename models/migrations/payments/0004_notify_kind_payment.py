from tortoise import migrations
from tortoise.migrations import operations as ops

# Alipay's gateway wrote kind 'pay' for a payment notify, WeChat Pay's 'payment'; both now
# write NotifyKind.payment. The reverse gives Alipay's rows their old word back.


class Migration(migrations.Migration):
    dependencies = [('payments', '0003_anomaly_case_not_payable')]

    initial = False

    operations = [
        ops.RunSQL(
            "UPDATE payment_notify SET kind = 'payment' WHERE kind = 'pay'",
            reverse_sql="UPDATE payment_notify SET kind = 'pay'"
                        " WHERE kind = 'payment' AND channel = 'alipay'",
        ),
    ]
