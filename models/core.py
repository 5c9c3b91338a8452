"""Departments, staff accounts, refresh tokens, the outbox and the audit log."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Department(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=128)
    region_code = fields.CharField(max_length=12, default="")
    phone = fields.CharField(max_length=64, default="")
    address = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "department"


class StaffAccount(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    display_name = fields.CharField(max_length=64)
    password_hash = fields.CharField(max_length=255)
    # clerk 窗口, reviewer 审批, admin, operator 运营
    roles = fields.JSONField[list[Any]](default=list)
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="staff", on_delete=fields.RESTRICT
    )
    department_id: int
    active = fields.BooleanField(default=True)
    failed_logins = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_account"


class RefreshToken(Model):
    """A refresh token, stored as a hash. Tokens of one login form a family: reusing a rotated
    token revokes the whole family (the token was stolen, or the client is confused)."""

    id = fields.BigIntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    family_id = fields.CharField(max_length=32, db_index=True)
    subject_kind = fields.CharField(max_length=8)  # citizen | staff
    subject_id = fields.IntField()
    channel = fields.CharField(max_length=16, default="app")
    device = fields.CharField(max_length=128, null=True)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    rotated_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.CharField(max_length=32, null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_token"
        indexes = (("subject_kind", "subject_id"),)


class OutboxEvent(Model):
    """A domain event written in the same transaction as the state change that caused it.

    The push pipeline's dispatchers claim rows (``SELECT … FOR UPDATE SKIP LOCKED``)."""

    id = fields.BigIntField(primary_key=True)
    event_type = fields.CharField(max_length=64)
    aggregate = fields.CharField(max_length=32)
    aggregate_id = fields.CharField(max_length=64)
    person_id = fields.IntField(null=True, db_index=True)
    priority = fields.CharField(max_length=8, default="normal")  # critical | normal | bulk
    payload = fields.JSONField[dict[str, Any]](default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    available_at = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=64, null=True)
    claimed_until = fields.DatetimeField(null=True)
    processed_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)

    class Meta:
        table = "outbox_event"
        indexes = (("processed_at", "priority", "id"),)


class AuditLog(Model):
    """Who did what to whom: staff actions, reads of unmasked personal data, campaigns."""

    id = fields.BigIntField(primary_key=True)
    actor_kind = fields.CharField(max_length=16)
    actor_id = fields.CharField(max_length=64)
    action = fields.CharField(max_length=64)
    target = fields.CharField(max_length=128, default="")
    detail = fields.JSONField[dict[str, Any]](default=dict)
    request_id = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_log"
        indexes = (("actor_kind", "actor_id"),)
