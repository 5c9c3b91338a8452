from tortoise import migrations
from tortoise.migrations import operations as ops
from models.certificates import CertificateStatus, HolderKind, RevocationReason, VerificationOutcome
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Certificate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=40)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('type_code', fields.CharField(max_length=32)),
                ('title', fields.CharField(max_length=64)),
                ('holder_kind', fields.CharEnumField(description='person: person\ncompany: company', enum_type=HolderKind, max_length=8)),
                ('person_id', fields.IntField(db_index=True)),
                ('company_id', fields.IntField(null=True, db_index=True)),
                ('holder_masked', fields.CharField(max_length=64)),
                ('holder_bidx', fields.CharField(db_index=True, max_length=64)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='certificates', on_delete=OnDelete.RESTRICT)),
                ('case_id', fields.IntField(null=True, db_index=True)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('valid_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default='valid', description='valid: valid\nrevoked: revoked\nsuperseded: superseded', enum_type=CertificateStatus, max_length=12)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoke_reason', fields.CharEnumField(null=True, description='issued_in_error: issued_in_error\ninformation_changed: information_changed\nholder_request: holder_request\nobtained_by_fraud: obtained_by_fraud\nother: other', enum_type=RevocationReason, max_length=24)),
                ('superseded_by_id', fields.IntField(null=True)),
                ('supersedes_id', fields.IntField(null=True)),
                ('key_id', fields.CharField(max_length=32)),
                ('content_enc', fields.TextField(unique=False)),
                ('pdf_sm3', fields.CharField(max_length=64)),
                ('pdf_key', fields.CharField(max_length=128)),
                ('seal_signature', fields.CharField(max_length=128)),
                ('qr_text', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'certificate', 'app': 'certificates', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CertificateEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('certificate', fields.ForeignKeyField('certificates.Certificate', source_field='certificate_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('from_status', fields.CharField(null=True, max_length=12)),
                ('to_status', fields.CharField(max_length=12)),
                ('reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'certificate_event', 'app': 'certificates', 'indexes': [Index(fields=['certificate_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Every state change of a certificate (全过程留痕): issued, revoked, superseded.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CertificateVerification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('certificate', fields.ForeignKeyField('certificates.Certificate', source_field='certificate_id', null=True, db_constraint=True, to_field='id', related_name='verifications', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(description='genuine: genuine\nrevoked: revoked\nexpired: expired\nsuperseded: superseded\nunknown: unknown\ntampered: tampered', enum_type=VerificationOutcome, max_length=12)),
                ('via', fields.CharField(max_length=8)),
                ('ip_hash', fields.CharField(max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=120)),
            ],
            options={'table': 'certificate_verification', 'app': 'certificates', 'indexes': [Index(fields=['certificate_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One look-up at ``/verify/<code>``. The verifier is kept only as a keyed hash of the IP.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MaterialSource',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('material_id', fields.IntField(unique=True)),
                ('case_id', fields.IntField(db_index=True)),
                ('source', fields.CharField(max_length=16)),
                ('licence_id', fields.CharField(max_length=64)),
                ('type_code', fields.CharField(max_length=32)),
                ('type_name', fields.CharField(max_length=64)),
                ('number_enc', fields.TextField(unique=False)),
                ('issuer', fields.CharField(max_length=128)),
                ('valid_from', fields.DateField(null=True)),
                ('valid_until', fields.DateField(null=True)),
                ('holder_bidx', fields.CharField(max_length=64)),
                ('certificate_id', fields.IntField(null=True)),
                ('signature', fields.TextField(default='', unique=False)),
                ('fetched_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'material_source', 'app': 'certificates', 'pk_attr': 'id', 'table_description': 'Where a material that stands in for an upload came from (免提交): the licence library or'},
            bases=['Model'],
        ),
    ]
