from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.ratings import AppealState, Level, RatedKind, RectificationOutcome, RectificationState, RevisionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('cases', '0001_initial'), ('cases', '0002_supplement_deadlines'), ('cases', '0003_lookup_indexes'), ('core', '0001_initial'), ('identity', '0001_initial'), ('tickets', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='case: case\nticket: ticket', enum_type=RatedKind, max_length=8)),
                ('case', fields.ForeignKeyField('cases.Case', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.RESTRICT)),
                ('ticket', fields.ForeignKeyField('tickets.Ticket', source_field='ticket_id', null=True, db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.RESTRICT)),
                ('person', fields.ForeignKeyField('identity.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.RESTRICT)),
                ('item_id', fields.IntField(null=True)),
                ('level', fields.IntEnumField(description='very_dissatisfied: 1\ndissatisfied: 2\nfair: 3\nsatisfied: 4\nvery_satisfied: 5', enum_type=Level, generated=False)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comment_enc', fields.TextField(null=True, unique=False)),
                ('channel', fields.CharField(max_length=16)),
                ('content_version', fields.CharField(max_length=16)),
                ('revision', fields.IntField(default=0)),
                ('changed', fields.BooleanField(default=False)),
                ('followed_up', fields.BooleanField(default=False)),
                ('change_until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('excluded', fields.BooleanField(default=False)),
                ('excluded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('excluded_reason', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'rating', 'app': 'ratings', 'unique_together': (('case', 'person'), ('ticket', 'person')), 'indexes': [Index(fields=['department_id', 'created_at']), Index(fields=['person_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.OneToOneField('ratings.Rating', source_field='rating_id', db_constraint=True, to_field='id', related_name='appeal', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='appeals', on_delete=OnDelete.RESTRICT)),
                ('filed_by', fields.IntField()),
                ('reason', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(default=AppealState.pending, description='pending: pending\nupheld: upheld\nrejected: rejected', enum_type=AppealState, max_length=8)),
                ('decided_by', fields.IntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_note', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rating_appeal', 'app': 'ratings', 'indexes': [Index(fields=['department_id', 'state'])], 'pk_attr': 'id', 'table_description': '申诉: the department says a rating is unfair (with evidence), a supervisor decides.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RatingEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.ForeignKeyField('ratings.Rating', source_field='rating_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.RESTRICT)),
                ('subject', fields.CharField(max_length=16)),
                ('action', fields.CharField(max_length=32)),
                ('actor_kind', fields.CharField(max_length=16)),
                ('actor_id', fields.CharField(max_length=64)),
                ('from_state', fields.CharField(null=True, max_length=16)),
                ('to_state', fields.CharField(null=True, max_length=16)),
                ('note', fields.TextField(null=True, unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rating_event', 'app': 'ratings', 'indexes': [Index(fields=['rating_id', 'id'])], 'pk_attr': 'id', 'table_description': '全过程留痕: who did what to a rating, its 整改 or its 申诉, from which state to which.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RatingRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.ForeignKeyField('ratings.Rating', source_field='rating_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.RESTRICT)),
                ('seq', fields.IntField()),
                ('kind', fields.CharEnumField(description='initial: initial\nchanged: changed\nfollow_up: follow_up', enum_type=RevisionKind, max_length=12)),
                ('level', fields.IntEnumField(description='very_dissatisfied: 1\ndissatisfied: 2\nfair: 3\nsatisfied: 4\nvery_satisfied: 5', enum_type=Level, generated=False)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comment_enc', fields.TextField(null=True, unique=False)),
                ('channel', fields.CharField(max_length=16)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rating_revision', 'app': 'ratings', 'unique_together': (('rating', 'seq'),), 'pk_attr': 'id', 'table_description': 'One version of a rating as the citizen gave it (what is reported, never changed).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rectification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rating', fields.OneToOneField('ratings.Rating', source_field='rating_id', db_constraint=True, to_field='id', related_name='rectification', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('core.Department', source_field='department_id', db_constraint=True, to_field='id', related_name='rectifications', on_delete=OnDelete.RESTRICT)),
                ('state', fields.CharEnumField(default=RectificationState.open, description='open: open\nreplied: replied\nclosed: closed', enum_type=RectificationState, max_length=8)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('limit_days', fields.IntField()),
                ('due_date', fields.DateField()),
                ('measures', fields.TextField(null=True, unique=False)),
                ('reply', fields.TextField(null=True, unique=False)),
                ('replied_by', fields.IntField(null=True)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revisit_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(null=True, description='satisfied: satisfied\nunsatisfied: unsatisfied\nno_response: no_response\nwithdrawn: withdrawn\nexcluded: excluded', enum_type=RectificationOutcome, max_length=12)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('clock_alert', fields.CharField(default='', max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'rating_rectification', 'app': 'ratings', 'indexes': [Index(fields=['department_id', 'state'])], 'pk_attr': 'id', 'table_description': '差评整改: opened by a 差评, assigned to the rated department.'},
            bases=['Model'],
        ),
    ]
