from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('wechat', '0002_consent_remaining')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundCallback',
            name='query_signature',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddIndex(
            model_name='InboundCallback',
            index=Index(fields=['received_at', 'query_signature']),
        ),
    ]
