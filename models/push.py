"""The push pipeline: notifications, per-channel deliveries, the inbox, devices, preferences
and staff campaigns.

``Delivery`` is also the work queue. A row is due while ``next_attempt_at`` is set and past;
finished rows clear it, so the claim index ``(rank, next_attempt_at)`` only holds live work
and 100,000 finished rows cost a claim nothing.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar

from tortoise import fields
from tortoise.models import Model


class DeliveryState(StrEnum):
    queued = "queued"  # waiting for its turn (also between retries)
    sending = "sending"  # claimed by a dispatcher; the lease is in next_attempt_at
    accepted = "accepted"  # the platform took it and will send a receipt (WeChat template)
    sent = "sent"  # the platform took it; no receipt comes on this channel
    delivered = "delivered"  # platform receipt: delivered
    failed = "failed"  # final refusal, raw code kept
    opted_out = "opted_out"  # unsubscribed / unfollowed (43004)
    out_of_consent = "out_of_consent"  # no unspent subscription consent (43101, no_consent)
    dead = "dead"  # retryable failures until the last try
    paused = "paused"  # campaign paused
    cancelled = "cancelled"  # campaign cancelled


SUCCESS_STATES = frozenset({DeliveryState.accepted, DeliveryState.sent, DeliveryState.delivered})


class Notification(Model):
    id = fields.BigIntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=96, unique=True)  # evt:<id>:<person> | cmp:… | msg:…
    person_id = fields.IntField(db_index=True)
    event_type = fields.CharField(max_length=64)
    priority = fields.CharField(max_length=8)  # critical | normal | bulk
    title = fields.CharField(max_length=128)
    body = fields.TextField()
    link = fields.CharField(max_length=255, null=True)
    data = fields.JSONField[dict[str, Any]](default=dict)
    # [{"channel", "recipient"}], SMS phones encrypted
    route = fields.JSONField[list[Any]](default=list)
    state = fields.CharField(max_length=16, default="pending")
    # pending | delivered | inbox_only | muted | undeliverable | cancelled
    campaign_id = fields.IntField(null=True, db_index=True)
    event_id = fields.BigIntField(null=True)
    event_at = fields.DatetimeField(null=True)  # when the state change happened
    created_at = fields.DatetimeField(auto_now_add=True)

    ENCRYPTED_JSON_FIELDS: ClassVar[tuple[str, ...]] = ("route",)  # SMS phones, sealed

    class Meta:
        table = "push_notification"


class Delivery(Model):
    id = fields.BigIntField(primary_key=True)
    notification: fields.ForeignKeyRelation[Notification] = fields.ForeignKeyField(
        "push.Notification", related_name="deliveries", on_delete=fields.CASCADE
    )
    notification_id: int
    channel = fields.CharField(max_length=24)
    step = fields.SmallIntField(default=0)  # index into the notification's route
    recipient = fields.TextField()
    state = fields.CharField(max_length=16, default=DeliveryState.queued.value)
    rank = fields.SmallIntField(default=1)  # 0 critical, 1 normal, 2 bulk
    campaign_id = fields.IntField(null=True, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=64, null=True)
    platform_message_id = fields.CharField(max_length=128, null=True)
    raw_code = fields.CharField(max_length=64, null=True)
    detail = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("recipient",)  # sealed when a phone

    class Meta:
        table = "push_delivery"
        unique_together = (("notification_id", "channel"),)
        indexes = (("rank", "next_attempt_at"), ("channel", "platform_message_id"))


class InboxMessage(Model):
    id = fields.BigIntField(primary_key=True)
    person_id = fields.IntField()
    notification: fields.OneToOneRelation[Notification] = fields.OneToOneField(
        "push.Notification", related_name="inbox", on_delete=fields.CASCADE
    )
    notification_id: int
    category = fields.CharField(max_length=64)
    title = fields.CharField(max_length=128)
    body = fields.TextField()
    link = fields.CharField(max_length=255, null=True)
    case_id = fields.IntField(null=True)
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_inbox"
        indexes = (("person_id", "id"), ("person_id", "read_at"))


class Device(Model):
    """An app installation registered for push (JPush registration id)."""

    id = fields.IntField(primary_key=True)
    person_id = fields.IntField(db_index=True)
    registration_id = fields.CharField(max_length=128, unique=True)
    platform = fields.CharField(max_length=16, default="android")  # android | ios
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "push_device"


class Preference(Model):
    person_id = fields.IntField(unique=True)
    mute_normal = fields.BooleanField(default=False)
    mute_bulk = fields.BooleanField(default=False)
    disabled_channels = fields.JSONField[list[Any]](default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "push_preference"


class Campaign(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=128)
    body = fields.TextField()
    link = fields.CharField(max_length=255, null=True)
    audience = fields.JSONField[Any]()  # {"kind": "persons"|"item_state"|"department", …}
    rate_limits = fields.JSONField[dict[str, Any]](default=dict)  # channel → messages per second
    scheduled_at = fields.DatetimeField(null=True)
    state = fields.CharField(max_length=16, default="draft")
    # draft | scheduled | sending (expanding) | delivering | paused | cancelled
    total = fields.IntField(default=0)
    expanded = fields.IntField(default=0)  # recipients turned into notifications so far
    cursor = fields.BigIntField(default=0)  # last CampaignRecipient id expanded
    created_by = fields.IntField()
    department_id = fields.IntField(null=True)
    # whose people it may reach: its author's department scope (None: an admin's, everyone)
    audience_scope = fields.IntField(null=True)
    approved_by = fields.IntField(null=True)  # an admin, for a campaign above the threshold
    approved_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "push_campaign"


class CampaignRecipient(Model):
    id = fields.BigIntField(primary_key=True)
    campaign: fields.ForeignKeyRelation[Campaign] = fields.ForeignKeyField(
        "push.Campaign", related_name="recipients", on_delete=fields.CASCADE
    )
    campaign_id: int
    person_id = fields.IntField()

    class Meta:
        table = "push_campaign_recipient"
        unique_together = (("campaign_id", "person_id"),)


class StaffAlert(Model):
    """Something a department must act on (a case running late, a 补正 left unanswered after
    受理, a refund the platform refused, a payment anomaly), from one outbox event."""

    id = fields.BigIntField(primary_key=True)
    event_id = fields.BigIntField(unique=True)
    department_id = fields.IntField(null=True)  # unknown: admins see it
    kind = fields.CharField(max_length=64)  # the event type
    severity = fields.CharField(max_length=8)  # critical | normal
    title = fields.CharField(max_length=128)
    body = fields.TextField()
    case_id = fields.IntField(null=True)
    data = fields.JSONField[dict[str, Any]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    acknowledged_by = fields.IntField(null=True)
    acknowledged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "push_staff_alert"
        indexes = (("department_id", "acknowledged_at", "id"),)
