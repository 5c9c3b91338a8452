"""A natural person (自然人) and the accounts bound to them in each channel.

Personal data is stored encrypted (``*_enc``) with a keyed blind index (``*_bidx``) for
equality look-ups; see ``app/security/pii.py``.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Person(Model):
    id = fields.IntField(primary_key=True)
    phone_enc = fields.TextField(null=True)
    phone_bidx = fields.CharField(max_length=64, null=True, unique=True)
    name_enc = fields.TextField(null=True)
    id_number_enc = fields.TextField(null=True)
    id_number_bidx = fields.CharField(max_length=64, null=True, unique=True)
    realname_level = fields.IntField(default=0)  # 0 none, 1 phone, 2 ID checked, 3 face
    realname_source = fields.CharField(max_length=32, null=True)
    realname_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=16, default="active")  # active | deleting | deleted
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "person"


class ChannelAccount(Model):
    """A login identity in one channel: app phone, WeChat openid, Alipay user id / open id."""

    id = fields.IntField(primary_key=True)
    person = fields.ForeignKeyField("identity.Person", related_name="accounts")
    channel = fields.CharField(max_length=16)  # app | wechat | alipay
    subject = fields.CharField(max_length=128)  # blind index for app phones, else platform id
    union_id = fields.CharField(max_length=128, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "channel_account"
        unique_together = (("channel", "subject"),)
