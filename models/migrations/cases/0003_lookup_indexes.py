from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0002_supplement_deadlines'), ('catalogue', '0001_initial'), ('core', '0001_initial'), ('identity', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Case',
            index=Index(fields=['person_id', 'id']),
        ),
        ops.AddIndex(
            model_name='ClockPause',
            index=Index(fields=['case_id', 'id']),
        ),
        ops.AddIndex(
            model_name='Material',
            index=Index(fields=['case_id', 'id']),
        ),
        ops.AddIndex(
            model_name='SupplementItem',
            index=Index(fields=['notice_id', 'id']),
        ),
    ]
