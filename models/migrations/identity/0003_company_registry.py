from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('identity', '0002_pii_read_case')]

    initial = False

    # companies registered before the registry check stay unverified (verified_at NULL)
    operations = [
        ops.AddField(
            model_name='Company',
            name='verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Company',
            name='registry_status',
            field=fields.CharField(null=True, max_length=16),
        ),
    ]
