from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('push', '0002_staff_alert')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Campaign',
            name='audience_scope',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Campaign',
            name='approved_by',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Campaign',
            name='approved_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # campaigns made before the scope was recorded reach their own department only
        ops.RunSQL('UPDATE "push_campaign" SET "audience_scope" = "department_id"',
                   reverse_sql='SELECT 1'),
    ]
