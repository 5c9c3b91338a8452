from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0003_lookup_indexes')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['status', 'clock_alert']),
        ),
        ops.AddIndex(
            model_name='CaseEvent',
            index=Index(fields=['at']),
        ),
    ]
