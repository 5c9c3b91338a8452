from tortoise import migrations
from tortoise.migrations import operations as ops
from models.alipay import SubscriptionKind
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AlipaySubscription',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.CharField(max_length=128)),
                ('person_id', fields.IntField(null=True, db_index=True)),
                ('template_id', fields.CharField(max_length=128)),
                ('kind', fields.CharEnumField(description='ONE_TIME: one_time\nLONG_TERM: long_term', enum_type=SubscriptionKind, max_length=16)),
                ('active', fields.BooleanField(default=True)),
                ('remaining', fields.IntField(default=0)),
                ('sent_count', fields.IntField(default=0)),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('spent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'alipay_subscription', 'app': 'alipay', 'unique_together': (('subject', 'template_id'),), 'pk_attr': 'id', 'table_description': 'The consent of one Alipay account to one message template.'},
            bases=['Model'],
        ),
    ]
