"""Alipay mini-program: subscription-message consents from ``my.requestSubscribeMessage``."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class SubscriptionKind(StrEnum):
    ONE_TIME = "one_time"  # 一次性订阅: each acceptance allows one message
    LONG_TERM = "long_term"  # 长期订阅: allows messages until withdrawn


class AlipaySubscription(Model):
    """The consent of one Alipay account to one message template.

    ``remaining`` counts the one-time acceptances not yet spent. A send takes one with a
    conditional ``UPDATE … WHERE remaining > 0``, so two dispatchers cannot spend the same one.
    Long-term consents are never spent, only withdrawn (``active`` false).
    """

    id = fields.BigIntField(primary_key=True)
    subject = fields.CharField(max_length=128)  # Alipay user_id (2088…) or open_id
    person_id = fields.IntField(null=True, db_index=True)
    template_id = fields.CharField(max_length=128)
    kind = fields.CharEnumField(SubscriptionKind, max_length=16)
    active = fields.BooleanField(default=True)
    remaining = fields.IntField(default=0)
    sent_count = fields.IntField(default=0)
    accepted_at = fields.DatetimeField()
    spent_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "alipay_subscription"
        unique_together = (("subject", "template_id"),)
