from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.tickets import AttachmentOwner, CloseReason, TicketState, TicketType
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0001_initial'), ('cases', '0002_supplement_deadlines'), ('cases', '0003_lookup_indexes'), ('catalogue', '0001_initial'), ('core', '0001_initial'), ('identity', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner_kind', fields.CharEnumField(description='ticket: ticket\nappeal: appeal', enum_type=AttachmentOwner, max_length=8)),
                ('owner_id', fields.IntField()),
                ('filename', fields.CharField(max_length=255)),
                ('content_type', fields.CharField(max_length=128)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_path', fields.CharField(max_length=255)),
                ('uploaded_by', fields.CharField(max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'feedback_attachment', 'app': 'tickets', 'indexes': [Index(fields=['owner_kind', 'owner_id'])], 'pk_attr': 'id', 'table_description': 'A file stored the way materials are (same limits, content-addressed).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HotlineCallback',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dispatch_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('kind', fields.CharField(null=True, max_length=16)),
                ('headers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('body_enc', fields.TextField(unique=False)),
                ('verified', fields.BooleanField(default=False)),
                ('error', fields.CharField(null=True, max_length=255)),
                ('outcome', fields.CharField(default='received', max_length=16)),
                ('ticket_id', fields.IntField(null=True)),
                ('deliveries', fields.IntField(default=1)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hotline_callback', 'app': 'tickets', 'pk_attr': 'id', 'table_description': 'Every callback of the 12345 system as it arrived, before it was believed, with what'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(unique=True, max_length=20)),
                ('type', fields.CharEnumField(description='consult: consult\ncomplaint: complaint\nsuggestion: suggestion\nhelp: help\nreport: report', enum_type=TicketType, max_length=12)),
                ('subject', fields.CharField(max_length=60)),
                ('subject_key', fields.CharField(max_length=64)),
                ('text_enc', fields.TextField(unique=False)),
                ('channel', fields.CharField(max_length=16)),
                ('source_ref', fields.CharField(null=True, unique=True, max_length=96)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('anonymous', fields.BooleanField(default=False)),
                ('contact_name_enc', fields.TextField(null=True, unique=False)),
                ('contact_phone_enc', fields.TextField(null=True, unique=False)),
                ('contact_phone_bidx', fields.CharField(null=True, max_length=64)),
                ('case', fields.ForeignKeyField('cases.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('item', fields.ForeignKeyField('catalogue.ServiceItem', source_field='item_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name='tickets', on_delete=OnDelete.RESTRICT)),
                ('state', fields.CharEnumField(description='dispatching: dispatching\nhandling: handling\nreplied: replied\nescalated: escalated\nclosed: closed\nmerged: merged', enum_type=TicketState, max_length=12)),
                ('limit_days', fields.IntField()),
                ('clock_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_date', fields.DateField(null=True)),
                ('clock_alert', fields.CharField(default='', max_length=8)),
                ('reopen_count', fields.IntField(default=0)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('escalated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('close_reason', fields.CharEnumField(null=True, description='confirmed: confirmed\nno_response: no_response\nstaff: staff\nduplicate: duplicate', enum_type=CloseReason, max_length=12)),
                ('duplicate_of', fields.ForeignKeyField('tickets.Ticket', source_field='duplicate_of_id', null=True, db_constraint=True, to_field='id', related_name='duplicates', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'ticket', 'app': 'tickets', 'indexes': [Index(fields=['department_id', 'state']), Index(fields=['person_id', 'id']), Index(fields=['subject_key', 'created_at']), Index(fields=['state', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('tickets.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharField(max_length=24)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('from_state', fields.CharField(null=True, max_length=12)),
                ('to_state', fields.CharField(null=True, max_length=12)),
                ('from_department_id', fields.IntField(null=True)),
                ('to_department_id', fields.IntField(null=True)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket_event', 'app': 'tickets', 'indexes': [Index(fields=['ticket_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Every step of a ticket: who, when, from which state and department to which, why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketNumberCounter',
            fields=[
                ('day', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=8)),
                ('value', fields.IntField(default=0)),
            ],
            options={'table': 'ticket_number_counter', 'app': 'tickets', 'pk_attr': 'day', 'table_description': 'Per-day sequence behind ticket numbers (the scheme of case numbers, its own counter).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketReply',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('tickets.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='ticket_replies', on_delete=OnDelete.RESTRICT)),
                ('staff_id', fields.IntField()),
                ('text', fields.TextField(unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'ticket_reply', 'app': 'tickets', 'indexes': [Index(fields=['ticket_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
