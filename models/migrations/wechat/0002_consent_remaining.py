from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('wechat', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SubscribeConsent',
            name='remaining',
            field=fields.IntField(default=0),
        ),
        # an accepted, unspent one-time consent was one message allowed
        ops.RunSQL(
            "UPDATE wechat_subscribe_consent SET remaining = 1"
            " WHERE accepted AND NOT spent AND kind = 'one_time'",
            reverse_sql="UPDATE wechat_subscribe_consent SET remaining = 0",
        ),
    ]
