from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('identity', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PiiAccessLog',
            name='case_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='PiiAccessLog',
            index=Index(fields=['case_id', 'id']),
        ),
    ]
