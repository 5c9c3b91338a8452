from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Person',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phone_enc', fields.TextField(null=True, unique=False)),
                ('phone_bidx', fields.CharField(null=True, unique=True, max_length=64)),
                ('name_enc', fields.TextField(null=True, unique=False)),
                ('id_number_enc', fields.TextField(null=True, unique=False)),
                ('id_number_bidx', fields.CharField(null=True, unique=True, max_length=64)),
                ('realname_level', fields.IntField(default=0)),
                ('realname_source', fields.CharField(null=True, max_length=32)),
                ('realname_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='active', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'person', 'app': 'identity', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChannelAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=16)),
                ('subject', fields.CharField(max_length=128)),
                ('union_id', fields.CharField(null=True, db_index=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'channel_account', 'app': 'identity', 'unique_together': (('channel', 'subject'),), 'pk_attr': 'id', 'table_description': 'A login identity in one channel: app phone, WeChat openid, Alipay user id / open id.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Company',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('credit_code', fields.CharField(unique=True, max_length=18)),
                ('name', fields.CharField(max_length=200)),
                ('registered_by', fields.ForeignKeyField('identity.Person', source_field='registered_by_id', db_constraint=True, to_field='id', related_name='registered_companies', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'company', 'app': 'identity', 'pk_attr': 'id', 'table_description': 'A legal person (法人), identified by its unified social credit code (public data).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CompanyMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('company', fields.ForeignKeyField('identity.Company', source_field='company_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='company_roles', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=16)),
                ('scope', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('granted_by', fields.ForeignKeyField('identity.Person', source_field='granted_by_id', null=True, db_constraint=True, to_field='id', related_name='granted_authorisations', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'company_member', 'app': 'identity', 'indexes': [Index(fields=['person_id', 'company_id'])], 'pk_attr': 'id', 'table_description': 'Who may act for a company: its legal representative, or an 经办人 the representative'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharField(max_length=32)),
                ('text_version', fields.CharField(max_length=32)),
                ('channel', fields.CharField(null=True, max_length=16)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consent', 'app': 'identity', 'indexes': [Index(fields=['person_id', 'purpose'])], 'pk_attr': 'id', 'table_description': 'Separate consent (PIPL art. 29) before sensitive personal data is processed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeletionRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='deletion_requests', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(default='pending', max_length=16)),
                ('reason', fields.CharField(null=True, max_length=200)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deletion_request', 'app': 'identity', 'pk_attr': 'id', 'table_description': 'A person asked to delete their account (PIPL art. 47).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PiiAccessLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('staff_id', fields.IntField(db_index=True)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='pii_reads', on_delete=OnDelete.CASCADE)),
                ('field', fields.CharField(max_length=32)),
                ('reason', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'pii_access_log', 'app': 'identity', 'pk_attr': 'id', 'table_description': 'A staff read of an unmasked personal value.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RealNameVerification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='verifications', on_delete=OnDelete.CASCADE)),
                ('level', fields.IntField()),
                ('source', fields.CharField(max_length=32)),
                ('outcome', fields.CharField(max_length=16)),
                ('raw_code', fields.CharField(null=True, max_length=32)),
                ('channel', fields.CharField(null=True, max_length=16)),
                ('id_number_bidx', fields.CharField(null=True, db_index=True, max_length=64)),
                ('proof_hash', fields.CharField(null=True, unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'realname_verification', 'app': 'identity', 'indexes': [Index(fields=['person_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Every real-name attempt (全过程留痕): what level it would prove, from which source, and'},
            bases=['Model'],
        ),
    ]
