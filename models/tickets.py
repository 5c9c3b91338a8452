"""12345 tickets (咨询 / 投诉 / 建议 / 求助 / 举报): from our own channels or dispatched by the
12345 hotline system, their replies, the trail of every step, their attachments and the raw
hotline callbacks as they arrived.

The citizen's text and the contact's name and phone are sealed (``*_enc``); only the handling
department is shown the contact, masked, and an anonymous 举报 keeps none at all.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.cases import Case
    from models.catalogue import ServiceItem
    from models.core import Department
    from models.identity import Person



class TicketType(StrEnum):
    consult = "consult"  # 咨询
    complaint = "complaint"  # 投诉
    suggestion = "suggestion"  # 建议
    help = "help"  # 求助
    report = "report"  # 举报


class TicketState(StrEnum):
    dispatching = "dispatching"  # 待派单: no department yet, a dispatcher assigns it
    handling = "handling"  # 办理中 at a department (also after a reopen)
    replied = "replied"  # 已答复: the contact confirms or is dissatisfied
    escalated = "escalated"  # 督办: dissatisfied again after the one reopen
    closed = "closed"
    merged = "merged"  # a duplicate, linked to the ticket answered in its place


class CloseReason(StrEnum):
    confirmed = "confirmed"  # the contact is satisfied
    no_response = "no_response"  # the contact said nothing within the confirmation window
    staff = "staff"  # closed by the department (with a reason)
    duplicate = "duplicate"


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=20, unique=True)  # 工单编号, e.g. T202611220000017
    type = fields.CharEnumField(TicketType, max_length=12)
    subject = fields.CharField(max_length=60)
    subject_key = fields.CharField(max_length=64)  # digest of the normalised subject
    text_enc = fields.TextField()
    channel = fields.CharField(max_length=16)  # app | h5 | wechat | alipay | hotline
    # the platform's own id of what created it (hotline ticket number, WeChat MsgId): one each
    source_ref = fields.CharField(max_length=96, null=True, unique=True)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    person_id: int | None
    anonymous = fields.BooleanField(default=False)
    contact_name_enc: str | None = fields.TextField(null=True)
    contact_phone_enc: str | None = fields.TextField(null=True)
    contact_phone_bidx = fields.CharField(max_length=64, null=True)
    case: fields.ForeignKeyNullableRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    case_id: int | None
    item: fields.ForeignKeyNullableRelation[ServiceItem] = fields.ForeignKeyField(
        "catalogue.ServiceItem", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    item_id: int | None
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="tickets", null=True, on_delete=fields.RESTRICT
    )
    department_id: int | None
    state = fields.CharEnumField(TicketState, max_length=12)
    limit_days = fields.IntField()
    # the first dispatch to a department, again at the reopen
    clock_started_at: datetime | None = fields.DatetimeField(null=True)
    due_date = fields.DateField(null=True)
    clock_alert = fields.CharField(max_length=8, default="")  # last colour alerted
    reopen_count = fields.IntField(default=0)
    replied_at: datetime | None = fields.DatetimeField(null=True)
    escalated_at: datetime | None = fields.DatetimeField(null=True)
    closed_at: datetime | None = fields.DatetimeField(null=True)
    close_reason = fields.CharEnumField(CloseReason, max_length=12, null=True)
    duplicate_of: fields.ForeignKeyNullableRelation[Ticket] = fields.ForeignKeyField(
        "tickets.Ticket", related_name="duplicates", null=True, on_delete=fields.RESTRICT
    )
    duplicate_of_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "ticket"
        indexes = (("department_id", "state"), ("person_id", "id"), ("subject_key", "created_at"),
                   ("state", "id"))


class TicketReply(Model):
    id = fields.IntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "tickets.Ticket", related_name="replies", on_delete=fields.RESTRICT)
    ticket_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="ticket_replies", on_delete=fields.RESTRICT)
    department_id: int
    staff_id = fields.IntField()
    text = fields.TextField()
    at = fields.DatetimeField()

    class Meta:
        table = "ticket_reply"
        indexes = (("ticket_id", "id"),)


class TicketEvent(Model):
    """Every step of a ticket: who, when, from which state and department to which, why."""

    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "tickets.Ticket", related_name="events", on_delete=fields.RESTRICT)
    ticket_id: int
    action = fields.CharField(max_length=24)
    actor_kind = fields.CharField(max_length=16)  # citizen | staff | system | platform
    actor_id = fields.CharField(max_length=64)
    from_state = fields.CharField(max_length=12, null=True)
    to_state = fields.CharField(max_length=12, null=True)
    from_department_id = fields.IntField(null=True)
    to_department_id = fields.IntField(null=True)
    reason: str | None = fields.TextField(null=True)
    at = fields.DatetimeField()

    class Meta:
        table = "ticket_event"
        indexes = (("ticket_id", "id"),)


class AttachmentOwner(StrEnum):
    ticket = "ticket"
    appeal = "appeal"  # evidence of a 申诉


class Attachment(Model):
    """A file stored the way materials are (same limits, content-addressed)."""

    # sealed like a material's file and name (``app.cases.materials``): rotated too
    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("filename",)

    id = fields.IntField(primary_key=True)
    owner_kind = fields.CharEnumField(AttachmentOwner, max_length=8)
    owner_id = fields.IntField()
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=128)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_path = fields.CharField(max_length=255)
    uploaded_by = fields.CharField(max_length=32)  # citizen:<id> | staff:<id>
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "feedback_attachment"
        indexes = (("owner_kind", "owner_id"),)


class HotlineCallback(Model):
    """Every callback of the 12345 system as it arrived, before it was believed, with what
    became of it. ``dispatch_id`` is set only once the signature checks, so a forgery never
    takes a real one; redeliveries of one dispatch share its row."""

    id = fields.BigIntField(primary_key=True)
    dispatch_id = fields.CharField(max_length=64, null=True, unique=True)
    kind = fields.CharField(max_length=16, null=True)  # dispatch | feedback
    headers = fields.JSONField[dict[str, str]](default=dict)
    body_enc = fields.TextField()  # sealed: it carries the caller's name and phone
    verified = fields.BooleanField(default=False)
    error = fields.CharField(max_length=255, null=True)
    outcome = fields.CharField(max_length=16, default="received")
    ticket_id = fields.IntField(null=True)
    deliveries = fields.IntField(default=1)
    received_at = fields.DatetimeField(auto_now_add=True)
    handled_at: datetime | None = fields.DatetimeField(null=True)

    class Meta:
        table = "hotline_callback"


class TicketNumberCounter(Model):
    """Per-day sequence behind ticket numbers (the scheme of case numbers, its own counter)."""

    day = fields.CharField(max_length=8, primary_key=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "ticket_number_counter"
