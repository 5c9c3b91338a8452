from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('wechat', '0002_consent_remaining')]

    initial = False

    operations = [
        ops.AddField(
            model_name='InboundCallback',
            name='query_signature',
            field=fields.CharField(null=True, db_index=True, max_length=40),
        ),
        # AddField leaves db_index out of the table it alters: the index is made here
        ops.RunSQL(
            'CREATE INDEX IF NOT EXISTS "idx_wechat_inbo_query_s_sig" '
            'ON "wechat_inbound_callback" ("query_signature")',
            reverse_sql='DROP INDEX IF EXISTS "idx_wechat_inbo_query_s_sig"',
        ),
    ]
