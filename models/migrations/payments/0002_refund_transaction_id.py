from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('cases', '0001_initial'), ('identity', '0001_initial'), ('payments', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Refund',
            name='transaction_id',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
