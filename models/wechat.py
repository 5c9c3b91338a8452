"""WeChat official account: inbound callbacks, followers and subscribe-message consents."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from tortoise import fields
from tortoise.models import Model


class InboundCallback(Model):
    """One verified callback, stored raw as received, sealed with ``app.security.pii``.

    It is the raw log and the de-duplication record at once: ``dedupe_key`` (``msg:<MsgId>``,
    or ``evt:<openid>:<CreateTime>:<event>``) is unique, so WeChat's retries of the same push
    insert nothing and change nothing. One insert per callback keeps the hot path short.
    """

    id = fields.BigIntField(primary_key=True)
    dedupe_key = fields.CharField(max_length=160, unique=True)
    openid = fields.CharField(max_length=64, db_index=True, default="")
    msg_type = fields.CharField(max_length=32, default="")
    event = fields.CharField(max_length=64, null=True)
    mode = fields.CharField(max_length=8)  # plain | compat | aes
    outcome = fields.CharField(max_length=16, default="accepted")  # accepted | handled | malformed
    body = fields.TextField()
    # the query's ``signature`` (token, timestamp, nonce): in plain mode it does not cover the
    # body, so a signature seen with one push is refused with any other. It is looked up
    # within its timestamp's window, so the index leads with the time: rows are appended at
    # its end, far cheaper per callback than an index on the random signature.
    query_signature = fields.CharField(max_length=40, null=True)
    received_at = fields.DatetimeField(auto_now_add=True)

    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("body",)

    class Meta:
        table = "wechat_inbound_callback"
        indexes = (("received_at", "query_signature"),)


class Follower(Model):
    """Whether an openid follows the account: template messages need it (else 43004)."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64, unique=True)
    subscribed = fields.BooleanField(default=True)
    scene = fields.CharField(max_length=64, null=True)  # qrscene_ of the first follow
    subscribed_at = fields.DatetimeField(null=True)
    unsubscribed_at = fields.DatetimeField(null=True)
    # WeChat's CreateTime of the last event applied: an older retry arriving late is ignored
    last_event_time = fields.BigIntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "wechat_follower"


class ConsentKind(StrEnum):
    ONE_TIME = "one_time"  # 一次性订阅: spent by one send
    LONG_TERM = "long_term"  # 长期订阅: not spent


class SubscribeConsent(Model):
    """What a user answered in a subscribe-message popup, per template."""

    id = fields.BigIntField(primary_key=True)
    openid = fields.CharField(max_length=64)
    template_id = fields.CharField(max_length=128)
    kind = fields.CharEnumField(ConsentKind, max_length=16, default=ConsentKind.ONE_TIME)
    accepted = fields.BooleanField(default=True)
    # one-time templates: each acceptance allows one message, and acceptances add up
    remaining = fields.IntField(default=0)
    # no longer read (``remaining`` replaced it); not dropped, because on SQLite tortoise drops
    # a column by rebuilding the table, and its rebuild loses the (openid, template_id) pair
    spent = fields.BooleanField(default=False)
    decided_at = fields.DatetimeField()
    spent_at = fields.DatetimeField(null=True)
    last_event_time = fields.BigIntField(default=0)

    class Meta:
        table = "wechat_subscribe_consent"
        unique_together = (("openid", "template_id"),)
