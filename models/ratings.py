"""政务服务"好差评": ratings of a case (or a 12345 ticket), their revisions, the 整改 a 差评
opens, the 申诉 a department may file, and the trail of every step.

A rating is never deleted: an upheld appeal marks it ``excluded`` (left out of figures and
reported as such). Every version the citizen gave is a ``RatingRevision`` row, immutable, and
that row is what the 好差评 system receives.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.cases import Case
    from models.core import Department
    from models.identity import Person
    from models.tickets import Ticket



class Level(IntEnum):
    """The five levels of the national standard (stars): 1 and 2 are 差评."""

    very_dissatisfied = 1  # 非常不满意
    dissatisfied = 2  # 不满意
    fair = 3  # 基本满意
    satisfied = 4  # 满意
    very_satisfied = 5  # 非常满意


class RatedKind(StrEnum):
    case = "case"  # 办件
    ticket = "ticket"  # 咨询 / 投诉 … answered


class RevisionKind(StrEnum):
    initial = "initial"
    changed = "changed"  # the one change within the window
    follow_up = "follow_up"  # 追评 after the 整改 reply (回访)


class Rating(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(RatedKind, max_length=8)
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="ratings", null=True, on_delete=fields.RESTRICT
    )
    case_id: int | None
    ticket: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "tickets.Ticket", related_name="ratings", null=True, on_delete=fields.RESTRICT
    )
    ticket_id: int | None
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="ratings", on_delete=fields.RESTRICT
    )
    person_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="ratings", on_delete=fields.RESTRICT
    )
    department_id: int
    item_id = fields.IntField(null=True)
    level = fields.IntEnumField(Level)
    tags = fields.JSONField[list[str]](default=list)
    # free text, sealed: people type phones in it
    comment_enc: str | None = fields.TextField(null=True)
    channel = fields.CharField(max_length=16)  # app | h5 | wechat | alipay | hotline
    content_version = fields.CharField(max_length=16)
    revision = fields.IntField(default=0)  # seq of the newest RatingRevision
    changed = fields.BooleanField(default=False)  # the one change was used
    followed_up = fields.BooleanField(default=False)  # the 追评 was used
    change_until = fields.DatetimeField()
    excluded = fields.BooleanField(default=False)  # upheld 申诉: kept, never counted
    excluded_at: datetime | None = fields.DatetimeField(null=True)
    excluded_reason: str | None = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "rating"
        unique_together = (("case", "person"), ("ticket", "person"))
        indexes = (("department_id", "created_at"), ("person_id", "id"))


class RatingRevision(Model):
    """One version of a rating as the citizen gave it (what is reported, never changed)."""

    id = fields.IntField(primary_key=True)
    rating: fields.ForeignKeyRelation[Rating] = fields.ForeignKeyField(
        "ratings.Rating", related_name="revisions", on_delete=fields.RESTRICT
    )
    rating_id: int
    seq = fields.IntField()
    kind = fields.CharEnumField(RevisionKind, max_length=12)
    level = fields.IntEnumField(Level)
    tags = fields.JSONField[list[str]](default=list)
    comment_enc: str | None = fields.TextField(null=True)
    channel = fields.CharField(max_length=16)
    at = fields.DatetimeField()

    class Meta:
        table = "rating_revision"
        unique_together = (("rating", "seq"),)


class RectificationState(StrEnum):
    open = "open"  # 待整改: the department is on the 15-working-day clock
    replied = "replied"  # 已反馈: measures recorded, the citizen asked again (回访)
    closed = "closed"


class RectificationOutcome(StrEnum):
    satisfied = "satisfied"  # re-rated 基本满意 or better
    unsatisfied = "unsatisfied"  # re-rated 差评 again: stays in supervision
    no_response = "no_response"  # the 回访 window passed without a re-rating
    withdrawn = "withdrawn"  # the citizen changed the rating to a good one before the reply
    excluded = "excluded"  # an upheld 申诉 took the rating out


class Rectification(Model):
    """差评整改: opened by a 差评, assigned to the rated department."""

    id = fields.IntField(primary_key=True)
    rating: fields.OneToOneRelation[Rating] = fields.OneToOneField(
        "ratings.Rating", related_name="rectification", on_delete=fields.RESTRICT
    )
    rating_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="rectifications", on_delete=fields.RESTRICT
    )
    department_id: int
    state = fields.CharEnumField(RectificationState, max_length=8,
                                 default=RectificationState.open)
    opened_at = fields.DatetimeField()
    limit_days = fields.IntField()
    due_date = fields.DateField()
    measures: str | None = fields.TextField(null=True)  # what was put right
    reply: str | None = fields.TextField(null=True)  # what the citizen is told
    replied_by = fields.IntField(null=True)
    replied_at: datetime | None = fields.DatetimeField(null=True)
    revisit_until: datetime | None = fields.DatetimeField(null=True)  # 追评 window after the reply
    outcome = fields.CharEnumField(RectificationOutcome, max_length=12, null=True)
    closed_at: datetime | None = fields.DatetimeField(null=True)
    clock_alert = fields.CharField(max_length=8, default="")  # last colour alerted
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "rating_rectification"
        indexes = (("department_id", "state"),)


class AppealState(StrEnum):
    pending = "pending"
    upheld = "upheld"  # the rating is excluded from figures
    rejected = "rejected"


class Appeal(Model):
    """申诉: the department says a rating is unfair (with evidence), a supervisor decides."""

    id = fields.IntField(primary_key=True)
    rating: fields.OneToOneRelation[Rating] = fields.OneToOneField(
        "ratings.Rating", related_name="appeal", on_delete=fields.RESTRICT
    )
    rating_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="appeals", on_delete=fields.RESTRICT
    )
    department_id: int
    filed_by = fields.IntField()
    reason = fields.TextField()
    state = fields.CharEnumField(AppealState, max_length=8, default=AppealState.pending)
    decided_by = fields.IntField(null=True)
    decided_at: datetime | None = fields.DatetimeField(null=True)
    decision_note: str | None = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "rating_appeal"
        indexes = (("department_id", "state"),)


class RatingEvent(Model):
    """全过程留痕: who did what to a rating, its 整改 or its 申诉, from which state to which."""

    id = fields.BigIntField(primary_key=True)
    rating: fields.ForeignKeyRelation[Rating] = fields.ForeignKeyField(
        "ratings.Rating", related_name="events", on_delete=fields.RESTRICT
    )
    rating_id: int
    subject = fields.CharField(max_length=16)  # rating | rectification | appeal
    action = fields.CharField(max_length=32)
    actor_kind = fields.CharField(max_length=16)  # citizen | staff | system
    actor_id = fields.CharField(max_length=64)
    from_state = fields.CharField(max_length=16, null=True)
    to_state = fields.CharField(max_length=16, null=True)
    note: str | None = fields.TextField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "rating_event"
        indexes = (("rating_id", "id"),)
