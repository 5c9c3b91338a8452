"""Shipments (快递送达 / 上门揽收), their tracking timeline, state log and raw callbacks.

Receiver name, phone and address are stored encrypted (``app.security.pii``; the token carries
its key id for rotation). A waybill number is unique per carrier; a trace line is unique per
(shipment, time, context), so a repeated push adds nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.cases import Case


class Direction(StrEnum):
    result_delivery = "result_delivery"  # 出件: the result goes to the citizen
    material_pickup = "material_pickup"  # 上门揽收: paper materials come to the hall


class ShipmentState(StrEnum):
    created = "created"  # waybill known, nothing from the courier yet
    collected = "collected"  # 揽收
    in_transit = "in_transit"  # 在途 / 转投
    out_for_delivery = "out_for_delivery"  # 派件
    signed = "signed"  # 签收
    trouble = "trouble"  # 疑难
    refused = "refused"  # 拒签
    returning = "returning"  # 退回
    returned = "returned"  # 退签: back with the sender
    hall_pickup = "hall_pickup"  # the citizen will collect it at the hall instead
    cancelled = "cancelled"


EXCEPTIONS = frozenset(
    {ShipmentState.trouble, ShipmentState.refused, ShipmentState.returning, ShipmentState.returned}
)
FINAL = frozenset({ShipmentState.signed, ShipmentState.hall_pickup, ShipmentState.cancelled})


class SubscriptionState(StrEnum):
    pending = "pending"  # not yet (or not successfully) subscribed: the poller retries
    active = "active"
    aborted = "aborted"  # provider gave up (abort): re-subscribe after a while
    ended = "ended"  # shutdown: nothing more will come


RECEIVER_FIELDS = ("receiver_name", "receiver_phone", "receiver_address")


class Shipment(Model):
    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = RECEIVER_FIELDS  # for the PII key rotation

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="shipments", on_delete=fields.RESTRICT)
    case_id: int
    person_id = fields.IntField(db_index=True)  # the case's applicant, for "my shipments"
    department_id = fields.IntField(db_index=True)
    direction = fields.CharEnumField(Direction, max_length=16)
    carrier = fields.CharField(max_length=32)  # kuaidi100 company code, e.g. "ems"
    waybill_no = fields.CharField(max_length=64)
    order_id = fields.CharField(max_length=64, null=True, unique=True)  # our booking id
    booked = fields.BooleanField(default=False)  # booked by us, not typed in by staff
    state = fields.CharEnumField(ShipmentState, max_length=24, default=ShipmentState.created)
    receiver_name = fields.TextField()  # encrypted
    receiver_phone = fields.TextField()  # encrypted
    receiver_address = fields.TextField()  # encrypted
    subscription = fields.CharEnumField(
        SubscriptionState, max_length=16, default=SubscriptionState.pending
    )
    subscription_error = fields.CharField(max_length=255, null=True)
    subscribed_at = fields.DatetimeField(null=True)
    last_event_at = fields.DatetimeField(null=True)  # courier time of the newest trace line
    checked_at = fields.DatetimeField()  # when we last heard anything (push or query)
    citizen_choice = fields.CharField(max_length=16, null=True)  # redeliver | hall_pickup
    created_by = fields.IntField(null=True)  # staff id
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "express_shipment"
        unique_together = (("carrier", "waybill_no"),)
        indexes = (("state", "checked_at"),)


class DeliveryPreference(Model):
    """The citizen's choice of 快递送达 for a case's result, and of 上门揽收 of materials."""

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = RECEIVER_FIELDS

    id = fields.IntField(primary_key=True)
    case: fields.OneToOneRelation[Case] = fields.OneToOneField(
        "cases.Case", related_name="delivery_preference", on_delete=fields.CASCADE
    )
    case_id: int
    method = fields.CharField(max_length=16, default="express")  # express | window
    receiver_name = fields.TextField()  # encrypted
    receiver_phone = fields.TextField()  # encrypted
    receiver_address = fields.TextField()  # encrypted
    pickup_materials = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "express_delivery_preference"


class TrackingEvent(Model):
    id = fields.BigIntField(primary_key=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "express.Shipment", related_name="tracking", on_delete=fields.CASCADE
    )
    shipment_id: int
    time = fields.DatetimeField()
    context = fields.CharField(max_length=500)
    state = fields.CharField(max_length=24)
    raw_state = fields.CharField(max_length=16, null=True)
    area = fields.CharField(max_length=128, null=True)
    source = fields.CharField(max_length=16, default="push")  # push | query
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "express_tracking_event"
        unique_together = (("shipment", "time", "context"),)


class ShipmentEvent(Model):
    """State log (全过程留痕): who moved the shipment from what to what, and why."""

    id = fields.BigIntField(primary_key=True)
    shipment: fields.ForeignKeyRelation[Shipment] = fields.ForeignKeyField(
        "express.Shipment", related_name="events", on_delete=fields.CASCADE
    )
    shipment_id: int
    actor_kind = fields.CharField(max_length=16)  # citizen | staff | system | platform
    actor_id = fields.CharField(max_length=64)
    from_state = fields.CharField(max_length=24, null=True)
    to_state = fields.CharField(max_length=24)
    reason = fields.TextField(null=True)
    data = fields.JSONField[dict[str, Any]](default=dict)
    at = fields.DatetimeField()

    class Meta:
        table = "express_shipment_event"


class CallbackLog(Model):
    """Every inbound push as received, before anything is believed."""

    # sealed like any personal data: trace lines carry who signed, and where
    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("body",)

    id = fields.BigIntField(primary_key=True)
    provider = fields.CharField(max_length=32)
    body = fields.TextField()
    verified = fields.BooleanField(default=False)
    outcome = fields.CharField(max_length=16, default="received")  # handled|rejected|error|unknown
    waybill_no = fields.CharField(max_length=64, null=True)
    error = fields.CharField(max_length=255, null=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "express_callback_log"
